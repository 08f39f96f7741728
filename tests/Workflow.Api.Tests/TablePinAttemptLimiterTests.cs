using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Workflow.Api.Lockout;
using Workflow.Testing;
using Workflow.Vehicles.Lockout;
using Workflow.Vehicles.Options;

namespace Workflow.Api.Tests;

/// <summary>
/// The shared PIN-attempt store on Azurite, with a fake clock: a cap of two attempts per vehicle within an hour.
/// Each test has its own table; several limiter objects over one table stand for several app instances.
/// </summary>
public sealed class TablePinAttemptLimiterTests : IAsyncLifetime
{
    private const int Cap = 2;
    private static readonly TimeSpan Window = TimeSpan.FromHours(1);
    private static readonly TimeSpan InFlight = TimeSpan.FromMinutes(30);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 5, 1, 8, 0, 0, TimeSpan.Zero));
    private readonly string _tableName = "l" + Guid.NewGuid().ToString("N")[..20];
    private readonly string _vin = TestVins.New();
    private string? _connectionString;

    private TableClient Table => new(_connectionString ?? throw new InvalidOperationException("Not initialized."), _tableName);

    public async Task InitializeAsync() => _connectionString = (await AzuriteServer.Shared).ConnectionString;

    public async Task DisposeAsync() => await Table.DeleteAsync();

    [Fact]
    public async Task Pins_in_flight_fill_the_cap_then_wrong_pins_lock_the_vehicle_out_until_the_oldest_expires()
    {
        TablePinAttemptLimiter limiter = NewLimiter();
        DateTimeOffset first = _time.GetUtcNow();

        Assert.True((await limiter.TryReserveAsync(_vin, "a", default)).IsReserved);
        _time.Advance(TimeSpan.FromMinutes(10));
        Assert.True((await limiter.TryReserveAsync(_vin, "b", default)).IsReserved);
        PinAttemptReservation busy = await limiter.TryReserveAsync(_vin, "c", default);

        Assert.Null(busy.LockedOutUntil);
        Assert.Equal(first + InFlight, busy.BusyUntil);
        Assert.Equal(first + InFlight, (await limiter.CheckAsync(_vin, default)).BusyUntil);

        await limiter.RecordWrongPinAsync(_vin, "a", default);
        await limiter.RecordWrongPinAsync(_vin, "b", default);
        PinAttemptReservation refused = await limiter.TryReserveAsync(_vin, "c", default);

        Assert.Equal(first + Window, refused.LockedOutUntil);
        Assert.Equal(first + Window, (await limiter.CheckAsync(_vin, default)).LockedOutUntil);
        Assert.Equal(["a", "b"], (await ReadStoredAsync()).Select(a => a.Id));
    }

    [Fact]
    public async Task The_window_slides_an_attempt_stops_counting_one_window_after_it_was_made()
    {
        TablePinAttemptLimiter limiter = NewLimiter();
        await limiter.TryReserveAsync(_vin, "a", default);
        _time.Advance(TimeSpan.FromMinutes(10));
        await limiter.TryReserveAsync(_vin, "b", default);

        _time.Advance(Window - TimeSpan.FromMinutes(10) - TimeSpan.FromSeconds(1));
        Assert.False((await limiter.TryReserveAsync(_vin, "c", default)).IsReserved);

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True((await limiter.TryReserveAsync(_vin, "c", default)).IsReserved);

        // b is presumed wrong by now (its answer never came), c is in flight: the cap is full, but not with wrong PINs.
        Assert.Equal(_time.GetUtcNow() + InFlight, (await limiter.TryReserveAsync(_vin, "d", default)).BusyUntil);
        Assert.Equal(["b", "c"], (await ReadStoredAsync()).Select(a => a.Id));
    }

    [Fact]
    public async Task The_same_attempt_id_is_counted_once_however_often_it_comes_back()
    {
        TablePinAttemptLimiter limiter = NewLimiter();
        await limiter.TryReserveAsync(_vin, "instance-1:otp-1", default);
        await limiter.TryReserveAsync(_vin, "instance-2:otp-1", default);

        // A redelivered activity: reserved already (even at the cap), recorded once.
        Assert.True((await limiter.TryReserveAsync(_vin, "instance-1:otp-1", default)).IsReserved);
        await limiter.RecordWrongPinAsync(_vin, "instance-1:otp-1", default);
        await limiter.RecordWrongPinAsync(_vin, "instance-1:otp-1", default);

        IReadOnlyList<PinAttempt> stored = await ReadStoredAsync();
        Assert.Equal(2, stored.Count);
        Assert.True(stored.Single(a => a.Id == "instance-1:otp-1").Rejected);
        Assert.False(stored.Single(a => a.Id == "instance-2:otp-1").Rejected);
    }

    [Fact]
    public async Task A_release_frees_the_attempt_and_an_empty_record_is_deleted()
    {
        TablePinAttemptLimiter limiter = NewLimiter();
        await limiter.TryReserveAsync(_vin, "a", default);
        await limiter.TryReserveAsync(_vin, "b", default);

        await limiter.ReleaseAsync(_vin, "b", default);
        Assert.True((await limiter.CheckAsync(_vin, default)).IsReserved);
        Assert.True((await limiter.TryReserveAsync(_vin, "c", default)).IsReserved);

        await limiter.ReleaseAsync(_vin, "a", default);
        await limiter.ReleaseAsync(_vin, "c", default);
        Assert.False((await Table.GetEntityIfExistsAsync<TableEntity>(_vin, TablePinAttemptLimiter.RowKey)).HasValue);
    }

    [Fact]
    public async Task A_right_pin_clears_the_failed_attempts_but_keeps_those_of_other_commands_in_flight()
    {
        TablePinAttemptLimiter limiter = NewLimiter(cap: 3);
        await limiter.TryReserveAsync(_vin, "wrong", default);
        await limiter.RecordWrongPinAsync(_vin, "wrong", default);
        await limiter.TryReserveAsync(_vin, "in-flight", default);
        await limiter.TryReserveAsync(_vin, "right", default);

        await limiter.RecordRightPinAsync(_vin, "right", default);

        Assert.Equal(["in-flight"], (await ReadStoredAsync()).Select(a => a.Id));
    }

    [Fact]
    public async Task A_check_on_an_unknown_vehicle_writes_nothing()
    {
        TablePinAttemptLimiter limiter = NewLimiter();

        Assert.True((await limiter.CheckAsync(_vin, default)).IsReserved);

        Assert.Empty(await Table.QueryAsync<TableEntity>().ToListAsync());
    }

    [Fact]
    public async Task Concurrent_reservations_from_many_instances_never_exceed_the_cap()
    {
        const int Instances = 16;
        const int ExpectedReserved = 3;
        TablePinAttemptLimiter[] limiters = [.. Enumerable.Range(0, Instances).Select(_ => NewLimiter(cap: ExpectedReserved))];

        PinAttemptReservation[] answers = await Task.WhenAll(
            limiters.Select((limiter, i) => Task.Run(() => limiter.TryReserveAsync(_vin, $"instance-{i}:otp-1", default))));

        Assert.Equal(ExpectedReserved, answers.Count(a => a.IsReserved));
        IReadOnlyList<PinAttempt> stored = await ReadStoredAsync();
        Assert.Equal(ExpectedReserved, stored.Count);
        Assert.All(answers.Where(a => !a.IsReserved), a => Assert.Equal(_time.GetUtcNow() + InFlight, a.BusyUntil));
    }

    /// <summary>A limiter as one app instance has it: its own table client on the shared table.</summary>
    private TablePinAttemptLimiter NewLimiter(int cap = Cap)
    {
        var options = new VehicleWorkflowOptions { MaxFailedPinAttemptsPerVehicle = cap, FailedPinAttemptWindow = Window, PinInFlightTimeout = InFlight };
        return new TablePinAttemptLimiter(Table, Options.Create(options), _time);
    }

    private async Task<IReadOnlyList<PinAttempt>> ReadStoredAsync()
    {
        TableEntity row = (await Table.GetEntityAsync<TableEntity>(_vin, TablePinAttemptLimiter.RowKey)).Value;
        return JsonSerializer.Deserialize<List<PinAttempt>>(row.GetString(TablePinAttemptLimiter.AttemptsProperty), JsonSerializerOptions.Web)!;
    }
}

using Workflow.Vehicles.Lockout;

namespace Workflow.Vehicles.Tests;

/// <summary>The lockout rules every limiter applies, on their own: no storage, explicit times.</summary>
public sealed class PinAttemptLedgerTests
{
    private const int Cap = 2;
    private static readonly TimeSpan Window = TimeSpan.FromHours(1);
    private static readonly TimeSpan InFlight = TimeSpan.FromMinutes(30);
    private static readonly DateTimeOffset T0 = new(2026, 5, 1, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Pins_in_flight_fill_the_cap_then_the_next_is_told_to_come_back_when_the_oldest_settles_not_locked_out()
    {
        List<PinAttempt> stored = [];
        Assert.True(Reserve(stored, "a", T0).IsReserved);
        Assert.True(Reserve(stored, "b", T0.AddMinutes(10)).IsReserved);

        PinAttemptReservation refused = Reserve(stored, "c", T0.AddMinutes(20));

        Assert.False(refused.IsReserved);
        Assert.Null(refused.LockedOutUntil);
        Assert.Equal(T0 + InFlight, refused.BusyUntil);
        Assert.Equal(["a", "b"], stored.Select(a => a.Id));
    }

    [Fact]
    public void Only_wrong_pins_lock_the_vehicle_out_until_the_oldest_expires()
    {
        List<PinAttempt> stored = [];
        Reserve(stored, "a", T0);
        Reserve(stored, "b", T0.AddMinutes(10));
        PinAttemptLedger answered = Ledger(stored, T0.AddMinutes(11));

        answered.RecordWrongPin("a");
        Assert.Null(answered.LockedOutUntil);
        Assert.Equal(T0.AddMinutes(10) + InFlight, answered.Check().BusyUntil);

        answered.RecordWrongPin("b");
        Assert.Equal(T0 + Window, answered.LockedOutUntil);
        Assert.Equal(T0 + Window, answered.Check().LockedOutUntil);
    }

    [Fact]
    public void A_pin_whose_answer_never_came_is_presumed_wrong_after_the_in_flight_timeout()
    {
        List<PinAttempt> stored = [new("lost-1", T0, Rejected: false), new("lost-2", T0.AddMinutes(1), Rejected: false)];

        Assert.NotNull(Ledger(stored, T0 + InFlight).Check().BusyUntil);
        Assert.Equal(T0 + Window, Ledger(stored, T0.AddMinutes(1) + InFlight).LockedOutUntil);
    }

    [Fact]
    public void The_window_slides_each_attempt_expires_one_window_after_it_was_made()
    {
        List<PinAttempt> stored = [new("a", T0, Rejected: true), new("b", T0.AddMinutes(10), Rejected: true)];

        Assert.Equal(T0 + Window, Ledger(stored, T0 + Window - TimeSpan.FromTicks(1)).LockedOutUntil);
        PinAttemptLedger afterFirstExpired = Ledger(stored, T0 + Window);

        Assert.Null(afterFirstExpired.LockedOutUntil);
        Assert.Equal(["b"], afterFirstExpired.Attempts.Select(a => a.Id));
        Assert.False(afterFirstExpired.HasChanged); // dropping expired attempts alone is not worth a write
    }

    [Fact]
    public void Above_the_cap_the_lockout_lasts_until_enough_attempts_have_expired_to_free_one()
    {
        // Three attempts against a cap of two (e.g. the cap was lowered): two must expire before one is free.
        List<PinAttempt> stored = [new("a", T0, true), new("b", T0.AddMinutes(5), true), new("c", T0.AddMinutes(9), true)];

        Assert.Equal(T0.AddMinutes(5) + Window, Ledger(stored, T0.AddMinutes(30)).LockedOutUntil);
    }

    [Fact]
    public void The_same_attempt_id_counts_once_even_at_the_cap()
    {
        List<PinAttempt> stored = [];
        Reserve(stored, "a", T0);
        Reserve(stored, "b", T0);

        PinAttemptLedger ledger = Ledger(stored, T0.AddMinutes(1));
        Assert.True(ledger.TryReserve("a").IsReserved);
        ledger.RecordWrongPin("a");
        ledger.RecordWrongPin("a");

        Assert.Equal(2, ledger.Attempts.Count);
        Assert.True(ledger.Attempts.Single(a => a.Id == "a").Rejected);
    }

    [Fact]
    public void A_right_pin_clears_the_rejected_attempts_but_not_the_pending_ones_of_other_commands()
    {
        List<PinAttempt> stored = [new("wrong", T0, Rejected: true), new("in-flight", T0.AddMinutes(1), Rejected: false), new("right", T0.AddMinutes(2), Rejected: false)];
        PinAttemptLedger ledger = Ledger(stored, T0.AddMinutes(3));

        ledger.RecordRightPin("right");

        Assert.True(ledger.HasChanged);
        Assert.Equal(["in-flight"], ledger.Attempts.Select(a => a.Id));
    }

    [Fact]
    public void A_release_drops_only_that_attempt()
    {
        List<PinAttempt> stored = [new("a", T0, Rejected: true), new("b", T0, Rejected: false)];
        PinAttemptLedger ledger = Ledger(stored, T0);

        ledger.Release("b");
        ledger.Release("unknown");

        Assert.Equal(["a"], ledger.Attempts.Select(a => a.Id));
    }

    [Fact]
    public void A_wrong_pin_whose_attempt_expired_meanwhile_counts_from_now()
    {
        List<PinAttempt> stored = [new("slow", T0, Rejected: false)];
        DateTimeOffset answeredAt = T0 + Window + TimeSpan.FromMinutes(1);
        PinAttemptLedger ledger = Ledger(stored, answeredAt);

        ledger.RecordWrongPin("slow");

        Assert.Equal(new PinAttempt("slow", answeredAt, Rejected: true), Assert.Single(ledger.Attempts));
    }

    private static PinAttemptLedger Ledger(IEnumerable<PinAttempt> stored, DateTimeOffset now) => new(stored, Cap, Window, InFlight, now);

    private static PinAttemptReservation Reserve(List<PinAttempt> stored, string id, DateTimeOffset now)
    {
        PinAttemptLedger ledger = Ledger(stored, now);
        PinAttemptReservation reservation = ledger.TryReserve(id);
        stored.Clear();
        stored.AddRange(ledger.Attempts);
        return reservation;
    }
}

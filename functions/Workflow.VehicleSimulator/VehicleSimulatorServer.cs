using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Workflow.VehicleSimulator;

/// <summary>
/// The simulator running in-process on real Kestrel, for other projects' tests and for the function
/// app in Development. It reads no configuration file nor environment variable (the host's
/// appsettings.json or <c>ASPNETCORE_URLS</c> must not reconfigure it): only the options it is given.
/// </summary>
public sealed class VehicleSimulatorServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _stopped;

    private VehicleSimulatorServer(WebApplication app, Uri baseAddress, VehicleSimulatorOptions options)
    {
        _app = app;
        BaseAddress = baseAddress;
        Options = options;
    }

    /// <summary>The address actually bound (the free port when <see cref="VehicleSimulatorOptions.Url"/> asks for port 0), ending with a slash.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The settings in effect: a copy taken at start, so later changes to the caller's instance have no effect.</summary>
    public VehicleSimulatorOptions Options { get; }

    /// <summary>Binds Kestrel to <see cref="VehicleSimulatorOptions.Url"/> and starts serving.</summary>
    /// <exception cref="System.ComponentModel.DataAnnotations.ValidationException">A setting is out of range.</exception>
    /// <exception cref="IOException">The address cannot be bound (port in use, for instance).</exception>
    public static async Task<VehicleSimulatorServer> StartAsync(VehicleSimulatorOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var snapshot = options.Clone();
        snapshot.Validate();

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(VehicleSimulatorServer).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.WebHost.UseKestrelCore();
        builder.Services.AddRoutingCore();
        builder.Services.AddLogging();

        // Embedded in another process, whose own "started" line is the one that counts: no second
        // "Hosting environment … / Content root path …" from this server's lifetime.
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        if (snapshot.LoggerFactory is { } loggerFactory)
        {
            builder.Services.AddSingleton(loggerFactory);
        }

        VehicleSimulatorApp.AddSimulator(builder.Services, snapshot);
        var app = builder.Build();
        VehicleSimulatorApp.MapSimulator(app);
        app.Urls.Add(snapshot.Url);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return new VehicleSimulatorServer(app, ResolveBaseAddress(app.Urls), snapshot);
    }

    /// <summary>Stops accepting requests and lets in-flight ones finish (until <paramref name="cancellationToken"/> fires). Safe to call twice.</summary>
    public Task StopAsync(CancellationToken cancellationToken = default) =>
        Interlocked.Exchange(ref _stopped, 1) == 0 ? _app.StopAsync(cancellationToken) : Task.CompletedTask;

    /// <summary>Stops the server if it is still running, then releases it.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>Kestrel reports a wildcard bind as 0.0.0.0 or [::]; clients need an address they can connect to.</summary>
    private static Uri ResolveBaseAddress(ICollection<string> urls)
    {
        var bound = new UriBuilder(urls.First());
        if (IPAddress.TryParse(bound.Host, out var ip) && (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any)))
        {
            bound.Host = ip.Equals(IPAddress.Any) ? "127.0.0.1" : "[::1]";
        }

        bound.Path = "/";
        return bound.Uri;
    }
}

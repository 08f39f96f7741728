using System.Globalization;

namespace Workflow.Benchmarks;

/// <summary>The command line.</summary>
internal sealed class BenchOptions
{
    public const string Usage = """
        Usage: dotnet run -c Release --project tests/Workflow.Benchmarks [-- options]
          --scale X          X times the instances of every scenario (default 1; 0.25 for a quick look)
          --only a,b         run only these scenarios: sequential-activities, external-events, start-to-complete,
                             strong-auth-command, strong-auth-pin-after-idle, strong-auth-pin-cross-instance,
                             azurite-ceiling, idle
          --configs a,b      run only these configurations (default: df-defaults, product, then every --config)
          --config NAME:K=V[,K=V...]
                             one more configuration: the product's host.json with these durableTask keys overridden,
                             e.g. --config p1:storageProvider.partitionCount=1,storageProvider.maxQueuePollingInterval=00:00:10
          --idle-seconds N   the idle scenario's counting window (default 20; scaled to a minute)
          --host H           sidecar (default): the engine in this process behind the gRPC sidecar, as the local host runs it;
                             functions: the published Functions app under the real Functions host (func on PATH, else
                             ../shared/functions-host), one host per configuration, storage counted by a proxy in front
                             of Azurite; runs strong-auth-command, strong-auth-pin-after-idle, azurite-ceiling and idle
                             (the others are sidecar only)
          --verbose          after each scenario, its storage requests by kind, per instance
          --help             this text
        Output: one 'BENCH {json}' line per scenario and configuration on standard output, then a summary table;
        progress lines on standard error.
        """;

    public static readonly string[] AllScenarios =
        ["sequential-activities", "external-events", "start-to-complete", "strong-auth-command", PinAfterIdleScenario.Name, PinAfterIdleScenario.CrossInstanceName, "azurite-ceiling", "idle"];

    public double Scale { get; private set; } = 1;

    public HashSet<string> Scenarios { get; private set; } = new(AllScenarios, StringComparer.OrdinalIgnoreCase);

    public List<string>? ConfigNames { get; private set; }

    public List<string> ConfigSpecs { get; } = [];

    public TimeSpan IdleWindow { get; private set; } = TimeSpan.FromSeconds(20);

    public string Host { get; private set; } = "sidecar";

    public bool Verbose { get; private set; }

    public bool Help { get; private set; }

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new FormatException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--scale":
                    options.Scale = double.Parse(Value(), NumberStyles.Float, CultureInfo.InvariantCulture);
                    if (options.Scale is <= 0 or > 20)
                    {
                        throw new FormatException("--scale must be in (0, 20].");
                    }

                    break;
                case "--only":
                    options.Scenarios = new HashSet<string>(Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), StringComparer.OrdinalIgnoreCase);
                    if (options.Scenarios.FirstOrDefault(s => !AllScenarios.Contains(s, StringComparer.OrdinalIgnoreCase)) is { } unknown)
                    {
                        throw new FormatException($"Unknown scenario '{unknown}'.");
                    }

                    break;
                case "--configs":
                    options.ConfigNames = [.. Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
                    break;
                case "--config":
                    options.ConfigSpecs.Add(Value());
                    break;
                case "--idle-seconds":
                    options.IdleWindow = TimeSpan.FromSeconds(int.Parse(Value(), NumberStyles.Integer, CultureInfo.InvariantCulture));
                    if (options.IdleWindow < TimeSpan.FromSeconds(5) || options.IdleWindow > TimeSpan.FromMinutes(10))
                    {
                        throw new FormatException("--idle-seconds must be between 5 and 600.");
                    }

                    break;
                case "--host":
                    options.Host = Value();
                    if (options.Host is not ("sidecar" or "functions"))
                    {
                        throw new FormatException("--host is sidecar or functions.");
                    }

                    break;
                case "--verbose":
                    options.Verbose = true;
                    break;
                case "--help" or "-h":
                    options.Help = true;
                    break;
                default:
                    throw new FormatException($"Unknown argument '{args[i]}'.");
            }
        }

        return options;
    }

    public bool Runs(string scenario) => Scenarios.Contains(scenario);
}

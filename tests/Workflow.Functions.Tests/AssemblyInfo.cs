using System.Runtime.Versioning;

// The hosts run under bash and setsid and are watched through /proc: these tests run on Linux only, as CI does.
[assembly: SupportedOSPlatform("linux")]

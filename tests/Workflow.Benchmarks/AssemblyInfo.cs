using System.Runtime.Versioning;

// The Functions hosts run under bash and setsid and are watched through /proc (as in the Functions tests), and the
// benchmark reads /proc for CPU and load: Linux only.
[assembly: SupportedOSPlatform("linux")]

using System.Buffers;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;

namespace Workflow.Functions.Tests.Support;

/// <summary>One place a searched value showed up: which value, the item, the decoding layer it was in, and how it was encoded there.</summary>
internal sealed record Sighting(string Name, ScannedText Item, string Layer, string Encoding)
{
    /// <summary>Short, for assertion messages: the item's text can be tens of kilobytes.</summary>
    public override string ToString() => $"{Name}: {Item.Source} {Item.Where} ({Layer}, {Encoding})";
}

/// <summary>
/// Looks for values in scanned texts in the shapes a leak would take: in clear (JSON and XML leave digits and letters as
/// they are), as hex, as base64 or base64url at any byte offset inside encoded data, and inside base64 nested in base64
/// (a queue message may be base64 of JSON whose payloads are base64url envelopes), JSON <c>\uXXXX</c> or URL escapes,
/// and gzip inside base64.
/// </summary>
/// <remarks>
/// Every base64-looking token is decoded, and the bytes read as UTF-8 and as UTF-16, down to <see cref="MaxDecodingDepth"/>
/// levels; the search runs over every level. Encrypted data decodes to noise, in which an 8-character secret turns up by
/// chance with odds of about 256^-8 per position.
/// </remarks>
internal sealed partial class SecretSearch
{
    /// <summary>How many times a text is decoded (base64, unescaped) inside itself, at most.</summary>
    public const int MaxDecodingDepth = 3;

    private const int MaxGunzippedBytes = 64 * 1024 * 1024;

    private readonly List<(ScannedText Item, string Layer, string Text)> _layers = [];

    public SecretSearch(IEnumerable<ScannedText> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        foreach (ScannedText item in items)
        {
            AddLayers(item, "as stored", item.Text, depth: 0);
        }
    }

    /// <summary>How many texts (items and the layers decoded from them) the search covers.</summary>
    public int LayerCount => _layers.Count;

    /// <summary>How bytes are read for the search: as UTF-8 and as UTF-16, the two encodings .NET code would write text with.</summary>
    public static string AsText(byte[] bytes) => Encoding.UTF8.GetString(bytes) + "\n" + Encoding.Unicode.GetString(bytes);

    /// <summary>An HTTP body as text: UTF-8, and also UTF-16 when it holds NUL bytes (binary data).</summary>
    public static string BodyText(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        return bytes.AsSpan().Contains((byte)0) ? AsText(bytes) : Encoding.UTF8.GetString(bytes);
    }

    /// <summary>The content of gzip data (as DTFx writes large messages), or null when <paramref name="bytes"/> is not gzip.</summary>
    public static byte[]? Gunzip(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        if (bytes.Length < 18 || bytes[0] != 0x1F || bytes[1] != 0x8B || bytes[2] != 8)
        {
            return null;
        }

        try
        {
            using var input = new MemoryStream(bytes);
            using var gzip = new GZipStream(input, CompressionMode.Decompress);
            using var output = new MemoryStream();
            byte[] buffer = new byte[81920];
            for (int read; (read = gzip.Read(buffer)) > 0;)
            {
                output.Write(buffer, 0, read);
                if (output.Length > MaxGunzippedBytes)
                {
                    break;
                }
            }

            return output.ToArray();
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    /// <summary>Every place <paramref name="value"/> shows up, in any of the encodings a leak could take.</summary>
    public IReadOnlyList<Sighting> Find(string value) => FindAll([(value, value)]);

    /// <summary>Every place any of the <paramref name="values"/> shows up (each named for the report), in one pass over the texts.</summary>
    public IReadOnlyList<Sighting> FindAll(IEnumerable<(string Name, string Value)> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var byNeedle = new Dictionary<string, List<(string Name, string Encoding)>>(StringComparer.Ordinal);
        foreach ((string name, string value) in values)
        {
            foreach ((string needle, string encoding) in NeedlesFor(value))
            {
                if (!byNeedle.TryGetValue(needle, out List<(string, string)>? owners))
                {
                    byNeedle[needle] = owners = [];
                }

                owners.Add((name, encoding));
            }
        }

        if (byNeedle.Count == 0)
        {
            return [];
        }

        SearchValues<string> needles = SearchValues.Create([.. byNeedle.Keys], StringComparison.Ordinal);
        var sightings = new List<Sighting>();
        var seen = new HashSet<(string, ScannedText, string, string)>();
        foreach ((ScannedText item, string layer, string text) in _layers)
        {
            ReadOnlySpan<char> span = text;
            for (int start = 0; start < span.Length;)
            {
                int found = span[start..].IndexOfAny(needles);
                if (found < 0)
                {
                    break;
                }

                int at = start + found;
                foreach ((string needle, List<(string Name, string Encoding)> owners) in byNeedle)
                {
                    if (span[at..].StartsWith(needle, StringComparison.Ordinal))
                    {
                        foreach ((string name, string encoding) in owners)
                        {
                            if (seen.Add((name, item, layer, encoding)))
                            {
                                sightings.Add(new Sighting(name, item, layer, encoding));
                            }
                        }
                    }
                }

                start = at + 1;
            }
        }

        return sightings;
    }

    private static List<(string Needle, string Encoding)> NeedlesFor(string value)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(value);
        var needles = new List<(string, string)>
        {
            (value, "in clear"),
            (Convert.ToHexString(bytes), "hex"),
            (Convert.ToHexStringLower(bytes), "hex"),
        };

        // Inside longer base64 data, a value encodes differently depending on its byte offset modulo 3. The characters
        // made only of the value's own bits are the same wherever it sits, so three needles cover every position, whether
        // or not the surrounding data is a token this search can decode.
        for (int offset = 0; offset < 3; offset++)
        {
            string encoded = Convert.ToBase64String([.. new byte[offset], .. bytes]);
            int first = ((offset * 8) + 5) / 6;
            int end = (offset + bytes.Length) * 8 / 6;
            string core = encoded[first..end];
            needles.Add((core, "base64"));
            needles.Add((core.Replace('+', '-').Replace('/', '_'), "base64url"));
        }

        return [.. needles.Distinct()];
    }

    private void AddLayers(ScannedText item, string layer, string text, int depth)
    {
        _layers.Add((item, layer, text));
        if (depth == MaxDecodingDepth)
        {
            return;
        }

        // JSON writers escape some characters (System.Text.Json writes '+' as \u002B), URLs percent-encode: undone, so that
        // base64 with a '+' in it reads as one token again.
        if (text.Contains("\\u", StringComparison.Ordinal) || text.Contains("\\/", StringComparison.Ordinal) || PercentEscape().IsMatch(text))
        {
            string unescaped = PercentEscape().Replace(
                JsonEscape().Replace(text.Replace("\\/", "/", StringComparison.Ordinal), m => ((char)Convert.ToInt32(m.Groups[1].Value, 16)).ToString()),
                m => ((char)Convert.ToInt32(m.Groups[1].Value, 16)).ToString());
            if (unescaped != text)
            {
                AddLayers(item, layer + " > unescaped", unescaped, depth + 1);
            }
        }

        foreach (Match token in Base64Token().Matches(text))
        {
            if (TryDecodeBase64(token.Value) is { } bytes)
            {
                AddLayers(item, layer + " > base64-decoded", AsText(bytes), depth + 1);
                if (Gunzip(bytes) is { } content)
                {
                    AddLayers(item, layer + " > base64-decoded > gunzipped", AsText(content), depth + 1);
                }
            }
        }
    }

    /// <summary>Decodes base64 or base64url, padded or not; null when the token is not that.</summary>
    private static byte[]? TryDecodeBase64(string token)
    {
        string standard = token.TrimEnd('=').Replace('-', '+').Replace('_', '/');
        if (standard.Length % 4 == 1)
        {
            // One character short of a whole byte: a token that ran into a neighbouring letter.
            standard = standard[..^1];
        }

        standard = standard.PadRight(standard.Length + ((4 - (standard.Length % 4)) % 4), '=');
        byte[] buffer = new byte[standard.Length / 4 * 3];
        return Convert.TryFromBase64String(standard, buffer, out int written) ? buffer[..written] : null;
    }

    // Base64 of 8 bytes, the shortest secret searched for, takes 11 characters: shorter tokens cannot hold one.
    [GeneratedRegex("[A-Za-z0-9+/_-]{11,}={0,2}")]
    private static partial Regex Base64Token();

    [GeneratedRegex(@"\\u([0-9a-fA-F]{4})")]
    private static partial Regex JsonEscape();

    [GeneratedRegex("%([0-9a-fA-F]{2})")]
    private static partial Regex PercentEscape();
}

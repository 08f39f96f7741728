using System.Text;
using System.Text.RegularExpressions;

namespace Workflow.Functions.Tests.Support;

/// <summary>One place a searched string showed up: the item, the decoding layer it was in, and how it was encoded there.</summary>
internal sealed record Sighting(ScannedText Item, string Layer, string Encoding)
{
    /// <summary>Short, for assertion messages: the item's text can be tens of kilobytes.</summary>
    public override string ToString() => $"{Item.Source} {Item.Where} ({Layer}, {Encoding})";
}

/// <summary>
/// Looks for a string in scanned texts in the shapes a leak would take: in clear (JSON and XML leave digits
/// and letters as they are), as hex, as base64 or base64url at any position inside encoded data, and inside
/// base64 nested in base64 (a queue message is base64 of JSON whose payloads are base64url envelopes).
/// </summary>
/// <remarks>
/// Every base64-looking token is decoded, and the bytes read as UTF-8 and as UTF-16, down to
/// <see cref="MaxDecodingDepth"/> levels; the search runs over every level. Encrypted data decodes to
/// noise, in which an 8-character secret turns up by chance with odds of about 256^-8 per position.
/// </remarks>
internal sealed partial class SecretSearch
{
    private const int MaxDecodingDepth = 3;

    private readonly List<(ScannedText Item, string Layer, string Text)> _layers = [];

    public SecretSearch(IEnumerable<ScannedText> items)
    {
        foreach (ScannedText item in items)
        {
            AddLayers(item, "as stored", item.Text, depth: 0);
        }
    }

    /// <summary>How bytes are read for the search: as UTF-8 and as UTF-16, the two encodings .NET code would write text with.</summary>
    public static string AsText(byte[] bytes) => Encoding.UTF8.GetString(bytes) + "\n" + Encoding.Unicode.GetString(bytes);

    /// <summary>Every place <paramref name="value"/> shows up, in any of the encodings a leak could take.</summary>
    public IReadOnlyList<Sighting> Find(string value)
    {
        IReadOnlyList<(string Needle, string Encoding)> needles = NeedlesFor(value);
        var sightings = new List<Sighting>();
        foreach ((ScannedText item, string layer, string text) in _layers)
        {
            foreach ((string needle, string encoding) in needles)
            {
                if (text.Contains(needle, StringComparison.Ordinal))
                {
                    sightings.Add(new Sighting(item, layer, encoding));
                }
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

        // Inside longer base64 data, a value encodes differently depending on its byte offset modulo 3. The
        // characters made only of the value's own bits are the same wherever it sits, so three needles cover
        // every position, whether or not the surrounding data is a token this search can decode.
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

        foreach (Match token in Base64Token().Matches(text))
        {
            if (TryDecodeBase64(token.Value) is { } bytes)
            {
                AddLayers(item, layer + " > base64-decoded", AsText(bytes), depth + 1);
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
}

using System.Text;

namespace Workflow.Testing;

/// <summary>
/// What a child process printed (stdout and stderr interleaved), bounded: past <c>capacity</c> characters the oldest
/// are dropped (down to half of it), so the newest lines, a crash reason say, are always kept.
/// </summary>
public sealed class OutputBuffer(int capacity = 4 * 1024 * 1024)
{
    private readonly Lock _gate = new();
    private readonly StringBuilder _text = new();
    private bool _truncated;

    /// <summary>Whether the oldest output was dropped past the cap (then <see cref="ToString"/> is not everything printed).</summary>
    public bool Truncated
    {
        get
        {
            lock (_gate)
            {
                return _truncated;
            }
        }
    }

    public void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            _text.Append(line).Append('\n');
            if (_text.Length > capacity)
            {
                _text.Remove(0, _text.Length - (capacity / 2));
                _truncated = true;
            }
        }
    }

    /// <summary>The last <paramref name="chars"/> characters, for failure messages.</summary>
    public string Tail(int chars = 30_000)
    {
        lock (_gate)
        {
            string prefix = _truncated || _text.Length > chars ? "[…]\n" : string.Empty;
            return prefix + _text.ToString(Math.Max(0, _text.Length - chars), Math.Min(chars, _text.Length));
        }
    }

    public override string ToString()
    {
        lock (_gate)
        {
            return _text.ToString();
        }
    }
}

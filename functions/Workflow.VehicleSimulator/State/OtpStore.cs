using System.Security.Cryptography;

namespace Workflow.VehicleSimulator.State;

/// <summary>OTPs issued by <c>pims.authentication.otp</c>: single use, bound to one VIN, expiring.</summary>
internal sealed class OtpStore(TimeProvider time, TimeSpan lifetime)
{
    /// <summary>OTPs are forgotten this long after they expire, so a long run does not grow without bound.</summary>
    private static readonly TimeSpan Retention = TimeSpan.FromHours(1);

    private const int OtpLength = 10;
    private const string OtpAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

    private readonly Lock _gate = new();
    private readonly List<IssuedOtp> _issued = [];

    public IssuedOtp Issue(string vin)
    {
        lock (_gate)
        {
            var now = time.GetUtcNow();
            _issued.RemoveAll(o => o.ExpiresAt + Retention < now);
            string value;
            do
            {
                value = RandomNumberGenerator.GetString(OtpAlphabet, OtpLength);
            }
            while (_issued.Exists(o => o.Otp == value));

            var otp = new IssuedOtp(vin, value, now, now + lifetime, Used: false);
            _issued.Add(otp);
            return otp;
        }
    }

    /// <summary>Marks the OTP used if it was issued for this VIN, is unused and unexpired; false otherwise.</summary>
    public bool TryConsume(string vin, string otp)
    {
        lock (_gate)
        {
            var now = time.GetUtcNow();
            var index = _issued.FindIndex(o => o.Vin == vin && o.Otp == otp);
            if (index < 0 || _issued[index].Used || now >= _issued[index].ExpiresAt)
            {
                return false;
            }

            _issued[index] = _issued[index] with { Used = true };
            return true;
        }
    }

    public IReadOnlyList<IssuedOtp> List(string? vin)
    {
        lock (_gate)
        {
            return [.. _issued.Where(o => vin is null || o.Vin == vin)];
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _issued.Clear();
        }
    }
}

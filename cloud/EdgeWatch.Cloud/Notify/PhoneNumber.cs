namespace EdgeWatch.Cloud.Notify;

/// <summary>Vietnamese phone numbers: <c>0xxx</c>, <c>+84xxx</c> and <c>84xxx</c>, with spaces, dots or dashes.</summary>
public static class PhoneNumber
{
    /// <summary>The number as <c>84</c> and 9 digits (the form ZNS and the modem take), or null when it isn't one.</summary>
    public static string? Normalise(string? phone)
    {
        if (phone is null)
        {
            return null;
        }

        var digits = new string([.. phone.Where(c => c is not (' ' or '.' or '-' or '(' or ')'))]);
        digits = digits.StartsWith('+') ? digits[1..] : digits.StartsWith('0') ? "84" + digits[1..] : digits;
        return digits.Length == 11 && digits.StartsWith("84", StringComparison.Ordinal) && digits.All(char.IsAsciiDigit) && digits[2] != '0' ? digits : null;
    }

    /// <summary>For logs and the audit where a number must not appear: the last 3 digits only.</summary>
    public static string Masked(string phone) => phone.Length <= 3 ? "***" : new string('*', phone.Length - 3) + phone[^3..];
}

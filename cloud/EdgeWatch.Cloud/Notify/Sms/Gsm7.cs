using System.Globalization;
using System.Text;

namespace EdgeWatch.Cloud.Notify.Sms;

/// <summary>The GSM 7-bit default alphabet (3GPP TS 23.038) and its septet packing.</summary>
public static class Gsm7
{
    /// <summary>The default alphabet, by code (0x1B, the escape to the extension table, is never produced).</summary>
    public const string Alphabet =
        "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
        "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

    /// <summary>
    /// Vietnamese without its diacritics, for the GSM-7 fallback: <c>Cháy tại Số 12</c> becomes <c>Chay tai So 12</c>.
    /// Anything else outside the default alphabet becomes <c>?</c>.
    /// </summary>
    public static string Strip(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var c in text.Normalize(NormalizationForm.FormD))
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark)
            {
                continue;
            }

            var plain = c switch { 'đ' => 'd', 'Đ' => 'D', _ => c };
            sb.Append(plain != '\u001b' && Alphabet.Contains(plain, StringComparison.Ordinal) ? plain : '?');
        }

        return sb.ToString();
    }

    public static byte[] Encode(string text) => [.. text.Select(c => (byte)Math.Max(0, Alphabet.IndexOf(c, StringComparison.Ordinal)))];

    public static string Decode(ReadOnlySpan<byte> septets)
    {
        var sb = new StringBuilder(septets.Length);
        foreach (var s in septets)
        {
            sb.Append(s == 0x1B ? ' ' : Alphabet[s & 0x7F]);
        }

        return sb.ToString();
    }

    /// <summary>Packs septets LSB first after <paramref name="fill"/> zero bits (the fill that aligns a user data header).</summary>
    public static byte[] Pack(ReadOnlySpan<byte> septets, int fill)
    {
        var bits = fill + (7 * septets.Length);
        var packed = new byte[(bits + 7) / 8];
        for (var k = 0; k < septets.Length; k++)
        {
            var at = fill + (7 * k);
            var value = (septets[k] & 0x7F) << (at % 8);
            packed[at / 8] |= (byte)value;
            if ((at % 8) > 1)
            {
                packed[(at / 8) + 1] |= (byte)(value >> 8);
            }
        }

        return packed;
    }

    public static byte[] Unpack(ReadOnlySpan<byte> packed, int count, int fill)
    {
        var septets = new byte[count];
        for (var k = 0; k < count; k++)
        {
            var at = fill + (7 * k);
            var value = packed[at / 8] >> (at % 8);
            if ((at % 8) > 1)
            {
                value |= packed[(at / 8) + 1] << (8 - (at % 8));
            }

            septets[k] = (byte)(value & 0x7F);
        }

        return septets;
    }
}

using System.Globalization;
using System.Text;

namespace EdgeWatch.Cloud.Notify.Sms;

/// <summary>An SMS-SUBMIT part, ready for <c>AT+CMGS=&lt;Length&gt;</c>: the hex PDU (with an empty SMSC field).</summary>
public sealed record SubmitPdu(string Hex, int Length);

/// <summary>A received SMS (an SMS-DELIVER PDU read with <c>AT+CMGR</c>).</summary>
public sealed record DeliveredSms(string From, string Text);

/// <summary>
/// SMS PDUs (3GPP TS 23.040) for PDU mode (<c>AT+CMGF=0</c>). Vietnamese needs UCS2 (DCS 0x08): 70 characters in
/// one part, 67 per part of a concatenated message (8-bit reference UDH). The diacritics-stripped GSM-7 fallback
/// (DCS 0x00) fits 160, or 153 per part.
/// </summary>
public static class SmsPdu
{
    public const int Ucs2Single = 70;
    public const int Ucs2Part = 67;
    public const int Gsm7Single = 160;
    public const int Gsm7Part = 153;

    /// <summary>The parts of <paramref name="text"/> to <paramref name="phone"/> (<c>84…</c>), concatenated when long.</summary>
    public static IReadOnlyList<SubmitPdu> Submit(string phone, string text, bool gsm7, byte reference)
    {
        text = gsm7 ? Gsm7.Strip(text) : text.Normalize(NormalizationForm.FormC);
        var single = gsm7 ? Gsm7Single : Ucs2Single;
        var per = gsm7 ? Gsm7Part : Ucs2Part;
        var chunks = text.Length <= single ? [text] : Chunk(text, per);
        if (chunks.Count > 255)
        {
            throw new ArgumentException($"the message is too long for one concatenated SMS ({text.Length} characters)", nameof(text));
        }

        return [.. chunks.Select((chunk, i) => Part(phone, chunk, gsm7, chunks.Count == 1 ? null : [0x05, 0x00, 0x03, reference, (byte)chunks.Count, (byte)(i + 1)]))];
    }

    /// <summary>How many parts <paramref name="text"/> takes.</summary>
    public static int Parts(string text, bool gsm7) =>
        gsm7 ? (Gsm7.Strip(text).Length is var g && g <= Gsm7Single ? 1 : (g + Gsm7Part - 1) / Gsm7Part)
             : (text.Normalize(NormalizationForm.FormC).Length is var u && u <= Ucs2Single ? 1 : (u + Ucs2Part - 1) / Ucs2Part);

    private static List<string> Chunk(string text, int size)
    {
        var chunks = new List<string>();
        for (var i = 0; i < text.Length; i += size)
        {
            // Never split a surrogate pair between parts.
            var length = Math.Min(size, text.Length - i);
            if (length == size && char.IsHighSurrogate(text[i + length - 1]))
            {
                length--;
            }

            chunks.Add(text.Substring(i, length));
            i -= size - length;
        }

        return chunks;
    }

    private static SubmitPdu Part(string phone, string text, bool gsm7, byte[]? udh)
    {
        var pdu = new List<byte>
        {
            (byte)(0x11 | (udh is null ? 0 : 0x40)), // SMS-SUBMIT, relative validity period, UDHI when concatenated
            0x00, // message reference: the modem sets it
            (byte)phone.Length,
            0x91, // international number
        };
        pdu.AddRange(SemiOctets(phone));
        pdu.Add(0x00); // protocol identifier
        pdu.Add(gsm7 ? (byte)0x00 : (byte)0x08);
        pdu.Add(0xAA); // valid for 4 days
        if (gsm7)
        {
            var header = udh ?? [];
            var fill = header.Length == 0 ? 0 : (7 - (header.Length * 8 % 7)) % 7;
            var septets = Gsm7.Encode(text);
            pdu.Add((byte)(((header.Length * 8) + fill) / 7 + septets.Length));
            pdu.AddRange(header);
            pdu.AddRange(Gsm7.Pack(septets, fill));
        }
        else
        {
            var body = Encoding.BigEndianUnicode.GetBytes(text);
            pdu.Add((byte)((udh?.Length ?? 0) + body.Length));
            pdu.AddRange(udh ?? []);
            pdu.AddRange(body);
        }

        return new SubmitPdu("00" + Convert.ToHexString([.. pdu]), pdu.Count);
    }

    /// <summary>Decodes an SMS-DELIVER PDU (with its SMSC field) as <c>AT+CMGR</c> prints it.</summary>
    public static DeliveredSms Deliver(string hex)
    {
        byte[] b;
        try
        {
            b = Convert.FromHexString(hex.Trim());
        }
        catch (FormatException ex)
        {
            throw new FormatException($"the PDU is not hex: {ex.Message}", ex);
        }

        try
        {
            var i = 1 + b[0];
            var first = b[i++];
            if ((first & 0x03) != 0)
            {
                throw new FormatException($"not an SMS-DELIVER PDU (first octet {first:X2})");
            }

            int digits = b[i++], type = b[i++];
            var addressOctets = (digits + 1) / 2;
            var from = (type & 0x70) == 0x50
                ? Gsm7.Decode(Gsm7.Unpack(b.AsSpan(i, addressOctets), digits * 4 / 7, 0))
                : ((type & 0x70) == 0x10 ? "+" : "") + Digits(b.AsSpan(i, addressOctets), digits);
            i += addressOctets;
            i++; // protocol identifier
            var dcs = b[i++];
            i += 7; // service centre time stamp
            var udl = b[i++];
            var ud = b.AsSpan(i);
            var headerLength = (first & 0x40) != 0 ? ud[0] + 1 : 0;
            var alphabet = (dcs & 0xC0) == 0 ? (dcs >> 2) & 0x03 : (dcs & 0xF0) == 0xF0 ? (dcs >> 2) & 0x01 : 0;
            var text = alphabet switch
            {
                2 => Encoding.BigEndianUnicode.GetString(ud[headerLength..udl]),
                1 => Encoding.Latin1.GetString(ud[headerLength..udl]),
                _ => DecodeGsm7(ud, udl, headerLength),
            };
            return new DeliveredSms(from, text);
        }
        catch (Exception ex) when (ex is IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            throw new FormatException("the PDU is truncated", ex);
        }
    }

    private static string DecodeGsm7(ReadOnlySpan<byte> ud, int septets, int headerLength)
    {
        var fill = headerLength == 0 ? 0 : (7 - (headerLength * 8 % 7)) % 7;
        var headerSeptets = ((headerLength * 8) + fill) / 7;
        return Gsm7.Decode(Gsm7.Unpack(ud[headerLength..], septets - headerSeptets, fill));
    }

    private static byte[] SemiOctets(string digits)
    {
        var padded = digits.Length % 2 == 0 ? digits : digits + "F";
        var octets = new byte[padded.Length / 2];
        for (var k = 0; k < octets.Length; k++)
        {
            octets[k] = byte.Parse(string.Concat(padded[(2 * k) + 1], padded[2 * k]), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        }

        return octets;
    }

    private static string Digits(ReadOnlySpan<byte> octets, int count)
    {
        var sb = new StringBuilder(count);
        foreach (var o in octets)
        {
            sb.Append((char)('0' + (o & 0x0F)));
            if (sb.Length < count)
            {
                sb.Append((char)('0' + (o >> 4)));
            }
        }

        return sb.ToString(0, count);
    }
}

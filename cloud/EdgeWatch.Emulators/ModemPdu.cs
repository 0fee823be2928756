using System.Globalization;
using System.Text;

namespace EdgeWatch.Emulators;

/// <summary>One SMS-SUBMIT part as the emulated network received it.</summary>
public sealed record SubmittedPart(string Destination, string Text, bool Ucs2, int? Reference, int Total, int Sequence);

/// <summary>
/// The emulator's side of PDU mode, written apart from the aggregator's encoder so that a mistake in one is not
/// mirrored in the other: it decodes SMS-SUBMIT (what the aggregator sends) and encodes SMS-DELIVER (a reply).
/// </summary>
internal static class ModemPdu
{
    private const string Gsm =
        "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
        "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

    public static SubmittedPart DecodeSubmit(byte[] pdu)
    {
        var p = 1 + pdu[0]; // SMSC
        var first = pdu[p++];
        if ((first & 0x03) != 0x01)
        {
            throw new FormatException($"not an SMS-SUBMIT (first octet {first:X2})");
        }

        p++; // message reference
        var digits = pdu[p++];
        var type = pdu[p++];
        var number = new StringBuilder();
        for (var k = 0; k < (digits + 1) / 2; k++)
        {
            number.Append((char)('0' + (pdu[p + k] & 0x0F)));
            if (number.Length < digits)
            {
                number.Append((char)('0' + (pdu[p + k] >> 4)));
            }
        }

        if (type != 0x91)
        {
            throw new FormatException($"destination type {type:X2} is not an international number");
        }

        p += (digits + 1) / 2;
        p++; // protocol identifier
        var dcs = pdu[p++];
        p += ((first >> 3) & 0x03) switch { 0x02 => 1, 0x01 or 0x03 => 7, _ => 0 };
        var udl = pdu[p++];
        var ud = pdu.AsSpan(p);
        int? reference = null;
        int total = 1, sequence = 1, headerOctets = 0;
        if ((first & 0x40) != 0)
        {
            headerOctets = ud[0] + 1;
            for (var i = 1; i < headerOctets;)
            {
                int iei = ud[i], length = ud[i + 1];
                if (iei == 0x00)
                {
                    (reference, total, sequence) = (ud[i + 2], ud[i + 3], ud[i + 4]);
                }
                else if (iei == 0x08)
                {
                    (reference, total, sequence) = ((ud[i + 2] << 8) | ud[i + 3], ud[i + 4], ud[i + 5]);
                }

                i += 2 + length;
            }
        }

        var ucs2 = (dcs & 0x0C) == 0x08;
        string text;
        if (ucs2)
        {
            if (udl > ud.Length)
            {
                throw new FormatException("user data is shorter than its length");
            }

            text = Encoding.BigEndianUnicode.GetString(ud[headerOctets..udl]);
        }
        else
        {
            var skipBits = headerOctets == 0 ? 0 : ((headerOctets * 8) + 6) / 7 * 7;
            var sb = new StringBuilder();
            for (var k = skipBits / 7; k < udl; k++)
            {
                var bit = 7 * k;
                var v = ud[bit / 8] >> (bit % 8);
                if (bit % 8 > 1)
                {
                    v |= ud[(bit / 8) + 1] << (8 - (bit % 8));
                }

                sb.Append(Gsm[v & 0x7F]);
            }

            text = sb.ToString();
        }

        return new SubmittedPart(number.ToString(), text, ucs2, reference, total, sequence);
    }

    /// <summary>An SMS-DELIVER in UCS2 from <paramref name="from"/> (digits, international), with an empty SMSC field.</summary>
    public static string EncodeDeliver(string from, string text, DateTimeOffset at)
    {
        var b = new List<byte> { 0x00, 0x04, (byte)from.Length, 0x91 };
        var padded = from.Length % 2 == 0 ? from : from + "F";
        for (var k = 0; k < padded.Length; k += 2)
        {
            b.Add(byte.Parse($"{padded[k + 1]}{padded[k]}", NumberStyles.HexNumber, CultureInfo.InvariantCulture));
        }

        b.Add(0x00);
        b.Add(0x08);
        var stamp = at.ToString("yyMMddHHmmss", CultureInfo.InvariantCulture) + "00";
        for (var k = 0; k < stamp.Length; k += 2)
        {
            b.Add(byte.Parse($"{stamp[k + 1]}{stamp[k]}", NumberStyles.HexNumber, CultureInfo.InvariantCulture));
        }

        var body = Encoding.BigEndianUnicode.GetBytes(text);
        b.Add((byte)body.Length);
        b.AddRange(body);
        return Convert.ToHexString([.. b]);
    }
}

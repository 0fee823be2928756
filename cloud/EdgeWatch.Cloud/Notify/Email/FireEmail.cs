using EdgeWatch.Cloud.Notify.Sms;
using MimeKit;

namespace EdgeWatch.Cloud.Notify.Email;

/// <summary>
/// The fire mail: the short fire text as the subject, so it reads like the SMS in a phone's notification, and the
/// details (full address, group, local time in the person's culture, the reading, how to acknowledge) as the body.
/// UTF-8 throughout; Vietnamese by default. A motion mail carries the privacy-masked snapshot as a JPEG.
/// </summary>
public static class FireEmail
{
    public static MimeMessage Build(PersonAlert alert, string to, MailboxAddress from, string messageId, byte[]? snapshot = null)
    {
        var greeting = alert.English ? $"Dear {alert.Name}," : $"Kính gửi {alert.Name},";
        var body = new BodyBuilder
        {
            TextBody = $"{greeting}\n\n{(alert.Kind == PersonAlert.Fire ? FireSms.DetailsText(alert, smsReply: false) : FireSms.Text(alert) + ".")}\n\n— EdgeWatch",
        };
        if (snapshot is not null)
        {
            // The privacy-masked snapshot, as an image the mail client shows (the text keeps its signed link).
            body.Attachments.Add(alert.English ? "snapshot.jpg" : "anh-chup.jpg", snapshot, new ContentType("image", "jpeg"));
        }

        var message = new MimeMessage
        {
            Subject = FireSms.Text(alert),
            MessageId = messageId,
            Body = body.ToMessageBody(),
        };
        message.From.Add(from);
        message.To.Add(new MailboxAddress(alert.Name, to));
        return message;
    }
}

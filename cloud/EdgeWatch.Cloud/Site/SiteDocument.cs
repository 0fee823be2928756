using System.Text.Json.Serialization;
using YamlDotNet.Serialization;

namespace EdgeWatch.Cloud.Site;

/// <summary>
/// The site registry as one document: who lives where and whom to call, the duty officers and technicians and their
/// shifts. It is kept in the database (<see cref="SiteRegistry"/>); the API, YAML and CSV import and export it.
/// </summary>
public sealed class SiteDocument
{
    public string Site { get; set; } = "";
    public List<GroupDocument> Groups { get; set; } = [];

    /// <summary>Duty officers and technicians.</summary>
    public List<StaffDocument> Staff { get; set; } = [];

    /// <summary>The closed camera network: each camera, the gateway that analyses it, and its zones' officers.</summary>
    public List<CameraDocument> Cameras { get; set; } = [];

    /// <summary>Removes the staff that <paramref name="match"/> picks, and their names from the zones they answered for.</summary>
    public void RemoveStaff(Predicate<StaffDocument> match)
    {
        var gone = Staff.Where(s => match(s)).Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        Staff.RemoveAll(match);
        foreach (var zone in Cameras.SelectMany(c => c.Zones))
        {
            zone.Officers.RemoveAll(name => gone.Contains(name) && !Staff.Any(s => s.Name == name));
        }
    }
}

public sealed class GroupDocument
{
    public string Id { get; set; } = "";
    public string? Name { get; set; }

    /// <summary>The name in a fire SMS, which must fit 70 characters with the address (<c>Tổ PCCC số 3</c>).</summary>
    public string? ShortName { get; set; }

    /// <summary>The group leader's name, one of its members.</summary>
    public string? Leader { get; set; }

    /// <summary>The gateway that serves this group.</summary>
    public string Gateway { get; set; } = "";
    public List<HouseholdDocument> Households { get; set; } = [];

    /// <summary>Where an import read it (a YAML line), for errors.</summary>
    [JsonIgnore]
    [YamlIgnore]
    public int? Line { get; set; }
}

public sealed class HouseholdDocument
{
    public string Id { get; set; } = "";
    public string? Address { get; set; }
    public double? Latitude { get; set; }
    public double? Longitude { get; set; }
    public List<MemberDocument> Members { get; set; } = [];

    [JsonIgnore]
    [YamlIgnore]
    public int? Line { get; set; }
}

public class PersonDocument
{
    public string Name { get; set; } = "";
    public string Phone { get; set; } = "";

    /// <summary>How to reach this person, in order of preference: <c>zns</c> (Zalo), <c>sms</c>, <c>call</c>, <c>email</c>.</summary>
    public List<string> Channels { get; set; } = ["zns", "sms"];

    /// <summary>The person's email address, needed for the <c>email</c> channel.</summary>
    public string? Email { get; set; }

    /// <summary>What this person reads: <c>vi</c> or <c>en</c>; null for the site's language.</summary>
    public string? Language { get; set; }

    /// <summary>True for made-up people (the demo town, test data): never dial or message them.</summary>
    public bool Fictitious { get; set; }

    /// <summary>Where an import read it (a YAML or CSV line), for errors.</summary>
    [JsonIgnore]
    [YamlIgnore]
    public int? Line { get; set; }
}

public sealed class MemberDocument : PersonDocument;

/// <summary>A duty officer or a technician, with the shifts they are on call.</summary>
public sealed class StaffDocument : PersonDocument
{
    /// <summary><c>officer</c> (incidents: fire, motion) or <c>technician</c> (trouble, offline gateways).</summary>
    public string Role { get; set; } = "officer";
    public List<ShiftDocument> Shifts { get; set; } = [];
}

/// <summary>
/// A weekly shift in <c>Asia/Ho_Chi_Minh</c> time: the days (<c>mon</c>…<c>sun</c>), from and to (<c>19:00</c> to
/// <c>07:00</c> runs past midnight), and the escalation level (1 is called first; 2 when 1 has not acknowledged).
/// </summary>
public sealed class ShiftDocument
{
    public List<string> Days { get; set; } = [];
    public string From { get; set; } = "00:00";
    public string To { get; set; } = "24:00";
    public int Level { get; set; } = 1;
}

/// <summary>
/// A camera of the closed network, as the gateway (or NVR) that analyses it names it: where it looks, the fire-safety
/// group whose lanes it watches (if any), and its zones. A camera is known by its gateway and id together.
/// </summary>
public sealed class CameraDocument
{
    /// <summary>The camera's id on its gateway (<c>cam-1</c>), as in the gateway's motion events.</summary>
    public string Id { get; set; } = "";
    public string Gateway { get; set; } = "";

    /// <summary>Where it looks, as an officer says it (<c>Đầu hẻm 3 Nguyễn Trãi</c>).</summary>
    public string? Name { get; set; }

    /// <summary>The group whose lanes it watches; null for a town camera (the market, a school gate).</summary>
    public string? Group { get; set; }
    public List<ZoneDocument> Zones { get; set; } = [];

    [JsonIgnore]
    [YamlIgnore]
    public int? Line { get; set; }
}

/// <summary>A zone of a camera (as the gateway's configuration names it) and the duty officers who watch it.</summary>
public sealed class ZoneDocument
{
    public string Id { get; set; } = "";

    /// <summary>What the zone covers (<c>cổng sau</c>, <c>sân chung</c>).</summary>
    public string? Name { get; set; }

    /// <summary>
    /// The officers who answer for this zone, by name (each a staff officer). Motion in it tells those of them on shift;
    /// when none is on shift, or none is named, the roster's officers on shift at that level are told instead.
    /// </summary>
    public List<string> Officers { get; set; } = [];
}

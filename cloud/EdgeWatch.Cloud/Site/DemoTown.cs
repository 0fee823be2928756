using System.Globalization;

namespace EdgeWatch.Cloud.Site;

/// <summary>
/// A made-up Vietnamese town for the demo, tests and benchmarks: fire-safety groups along the lanes (hẻm) of one street,
/// two adults per household. Every member is marked <see cref="MemberDocument.Fictitious"/>; the numbers have the shape
/// of Vietnamese mobile numbers (+84 9x xxx xxxx) but belong to nobody known.
/// </summary>
public static class DemoTown
{
    public const string TownName = "Thị trấn Hòa An";
    public const string Street = "Nguyễn Trãi";

    private static readonly string[] FamilyNames = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"];
    private static readonly string[] MenGiven = ["Văn An", "Minh Tuấn", "Đức Thắng", "Quang Huy", "Văn Hùng", "Hữu Phúc", "Thành Long", "Văn Dũng", "Công Minh", "Quốc Bảo", "Văn Cường", "Đình Nam", "Trọng Nghĩa"];
    private static readonly string[] WomenGiven = ["Thị Lan", "Thị Hoa", "Ngọc Ánh", "Thu Hà", "Thị Mai", "Thanh Hương", "Thị Hạnh", "Phương Thảo", "Thị Yến", "Kim Oanh", "Thị Nga", "Bích Ngọc", "Thùy Linh", "Thị Tuyết"];

    /// <summary><paramref name="groups"/> groups of <paramref name="households"/> households.</summary>
    public static SiteDirectory Create(string site, int groups, int households)
    {
        var doc = new SiteDocument { Site = site };
        for (var g = 1; g <= groups; g++)
        {
            var group = new GroupDocument
            {
                Id = $"g{g}",
                Name = string.Create(CultureInfo.InvariantCulture, $"Tổ liên gia PCCC số {g} (hẻm {g} {Street})"),
                ShortName = string.Create(CultureInfo.InvariantCulture, $"Tổ PCCC số {g}"),
                Gateway = $"gw-g{g}",
            };
            for (var h = 1; h <= households; h++)
            {
                var n = (g * 31) + (h * 7);
                var household = new HouseholdDocument
                {
                    Id = $"h{h}",
                    Address = string.Create(CultureInfo.InvariantCulture, $"Số {h * 2}, hẻm {g} {Street}, khu phố {((g - 1) / 4) + 1}, {TownName}"),
                    Members =
                    [
                        Member($"{FamilyNames[n % FamilyNames.Length]} {MenGiven[(n / 3) % MenGiven.Length]}", g, h, 1),
                        Member($"{FamilyNames[(n + 5) % FamilyNames.Length]} {WomenGiven[(n / 2) % WomenGiven.Length]}", g, h, 2),
                    ],
                };

                // Every fifth household has no Zalo (older residents): it is reached by SMS. In a group of 15
                // households that is 6 of 30 members, as the notify benchmark assumes.
                if (h % 5 == 0)
                {
                    household.Members.ForEach(m => m.Channels = ["sms"]);
                }

                // Every fifth household's second member works in the city and reads mail there first (then Zalo).
                if (h % 5 == 2)
                {
                    household.Members[1].Email = string.Create(CultureInfo.InvariantCulture, $"to{g}.ho{h}@thanhvien.example");
                    household.Members[1].Channels = ["email", "zns", "sms"];
                }

                group.Households.Add(household);
            }

            doc.Groups.Add(group);
        }

        doc.Staff.AddRange(Staff());
        doc.Cameras.AddRange(Cameras(doc.Groups));
        return new SiteDirectory(doc);
    }

    /// <summary>The town's gateway for its own cameras (the market, the school, the town hall), which serves no group.</summary>
    public const string TownGateway = "gw-town";

    /// <summary>
    /// The closed camera network: one camera before each household, on its group's gateway (<c>cam-1</c> at the lane's
    /// entrance), and three town cameras. Each watches its <c>yard</c> zone (the gateways' demo zone). A lane's zones
    /// name the area officers of its quarter (khu phố), one on the day shift and one on the night shift; the town's
    /// name none, so every officer on shift hears of them. 56 groups of 8 households make the real town's 451 cameras.
    /// </summary>
    private static IEnumerable<CameraDocument> Cameras(IEnumerable<GroupDocument> groups)
    {
        var staff = Staff().Select(s => s.Name).ToList();
        foreach (var g in groups)
        {
            var lane = int.Parse(g.Id[1..], CultureInfo.InvariantCulture);
            var quarter = ((lane - 1) / 4) + 1;
            List<string> areaOfficers = quarter % 2 == 1 ? [staff[0], staff[2]] : [staff[1], staff[3]];
            for (var h = 1; h <= g.Households.Count; h++)
            {
                yield return new CameraDocument
                {
                    Id = string.Create(CultureInfo.InvariantCulture, $"cam-{h}"),
                    Gateway = g.Gateway,
                    Group = g.Id,
                    Name = h == 1
                        ? string.Create(CultureInfo.InvariantCulture, $"Đầu hẻm {lane} {Street}")
                        : string.Create(CultureInfo.InvariantCulture, $"Trước số {h * 2}, hẻm {lane}"),
                    Zones = [new ZoneDocument { Id = "yard", Name = "lối đi chung", Officers = [.. areaOfficers] }],
                };
            }
        }

        (string Id, string Name, string Zone)[] town =
        [
            ("cam-cho", "Chợ Hòa An", "cổng chợ"),
            ("cam-truong", "Cổng trường THCS Hòa An", "cổng trường"),
            ("cam-ubnd", "Trụ sở UBND thị trấn", "sân trước"),
        ];
        foreach (var (id, name, zone) in town)
        {
            yield return new CameraDocument { Id = id, Gateway = TownGateway, Name = name, Zones = [new ZoneDocument { Id = "yard", Name = zone }] };
        }
    }

    private static readonly string[] Week = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

    /// <summary>
    /// The commune's duty roster: two officers on each shift (day 07:00–19:00, night 19:00–07:00) at level 1, the
    /// police post's deputy chief at level 2 (called when nobody on level 1 acknowledges), and two technicians.
    /// </summary>
    public static IEnumerable<StaffDocument> Staff()
    {
        (string Name, string Role, string From, string To, int Level)[] roster =
        [
            ("Đại úy Nguyễn Văn Hải", "officer", "07:00", "19:00", 1),
            ("Thượng úy Trần Thị Thu", "officer", "07:00", "19:00", 1),
            ("Trung úy Lê Minh Khoa", "officer", "19:00", "07:00", 1),
            ("Thiếu úy Phạm Quốc Việt", "officer", "19:00", "07:00", 1),
            ("Thiếu tá Hoàng Đức Long (Phó trưởng Công an)", "officer", "00:00", "24:00", 2),
            ("Kỹ thuật viên Vũ Thành Nam", "technician", "07:00", "22:00", 1),
            ("Kỹ thuật viên Đỗ Thị Hằng", "technician", "07:00", "22:00", 1),
        ];
        return roster.Select((r, i) => new StaffDocument
        {
            Name = r.Name,
            Role = r.Role,
            Phone = string.Create(CultureInfo.InvariantCulture, $"+84 91 800 {i + 1:0000}"),
            // Zalo first; SMS, then a call, when it fails. A call holds a modem while it rings (up to 25 s), which would
            // keep the SMS-only members' messages waiting on a one-modem site.
            Channels = ["zns", "sms", "call"],
            Fictitious = true,
            Shifts = [new ShiftDocument { Days = [.. Week], From = r.From, To = r.To, Level = r.Level }],
        });
    }

    private static MemberDocument Member(string name, int group, int household, int member) => new()
    {
        Name = name,
        Phone = string.Create(CultureInfo.InvariantCulture, $"+84 90 {group:000} {household:00}{member:00}"),
        Fictitious = true,
    };
}

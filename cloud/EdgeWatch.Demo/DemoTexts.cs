namespace EdgeWatch.Demo;

/// <summary>What the demo prints, in Vietnamese (the default) or English (<c>--lang en</c>).</summary>
public sealed record DemoTexts
{
    public required string Language { get; init; }
    public required string MissingPackages { get; init; }
    public required string InstallHint { get; init; }
    public required string StartingWithoutCameras { get; init; }
    public required Func<int, int, string> Running { get; init; }
    public required string WithCameras { get; init; }
    public required string WithoutCameras { get; init; }
    public required string Aggregator { get; init; }
    public required string LivePage { get; init; }
    public required Func<int, int, string> Registry { get; init; }
    public required string Broker { get; init; }
    public required string Watch { get; init; }
    public required string Data { get; init; }
    public required string TripHelp { get; init; }
    public required string WatchHelp { get; init; }
    public required string Then { get; init; }
    public required string CtrlC { get; init; }
    public required string Stopping { get; init; }

    public required IReadOnlyDictionary<string, string> Causes { get; init; }

    public string Cause(string? wire) => wire is null ? "-" : Causes.GetValueOrDefault(wire, wire);

    public static DemoTexts For(string language) => language switch
    {
        "vi" => Vietnamese,
        "en" => English,
        _ => throw new ArgumentException($"unknown language '{language}' (use vi or en)", nameof(language)),
    };

    public static DemoTexts Vietnamese { get; } = new()
    {
        Language = "vi",
        MissingPackages = "Máy này chưa phân tích được camera; thiếu các gói Debian:",
        InstallHint = "  cài bằng: ./demo.sh (cài ffmpeg, libgtk-3-0 bằng apt và giải nén video mẫu của opencv-doc vào .cache/samples)",
        StartingWithoutCameras = "Báo cháy không cần các gói này; mọi phần khác khởi động ngay, không có camera.",
        Running = (groups, households) => $"Hệ thống EdgeWatch mẫu đang chạy: {groups} tổ liên gia PCCC, mỗi tổ {households} hộ, bo mạch mô phỏng (rpi4-mcp23017),",
        WithCameras = "mỗi gateway một camera phát video người đi bộ mẫu (chuyển động ở /api/motion).",
        WithoutCameras = "không có camera (xem ở trên).",
        Aggregator = "máy chủ tổng",
        LivePage = "trang trực tiếp; sự kiện ở",
        Registry = (groups, households) => $"Sổ đăng ký (trong cơ sở dữ liệu) như thị trấn thật: {groups} tổ, {households} hộ, ca trực 2 cán bộ mỗi ca, 2 kỹ thuật viên. API cần token quản trị:",
        Broker = "MQTT",
        Watch = "theo dõi",
        Data = "dữ liệu",
        TripHelp = "Kích hoạt một đầu báo (gateway gw-g1, gw-g2; kênh h1..h8 .smoke, .call-point.inside, .call-point.outside):",
        WatchHelp = "Xem: mọi chuông của tổ g1 cùng kêu, dòng THÔNG BÁO bên dưới liệt kê mọi thành viên của tổ,\n       và {0}/api/events hiện báo động.",
        Then = "Sau đó:",
        CtrlC = "Nhấn Ctrl+C để dừng tất cả.",
        Stopping = "Đang dừng hệ thống mẫu...",
        Causes = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["smoke"] = "đầu báo khói",
            ["heat"] = "đầu báo nhiệt",
            ["heat-fixed"] = "nhiệt độ vượt ngưỡng",
            ["heat-rate-of-rise"] = "nhiệt độ tăng nhanh",
            ["call-point"] = "nút nhấn báo cháy",
        },
    };

    public static DemoTexts English { get; } = new()
    {
        Language = "en",
        MissingPackages = "Camera analysis is not available on this machine; missing Debian packages:",
        InstallHint = "  install with: ./demo.sh (installs ffmpeg and libgtk-3-0 with apt and unpacks the opencv-doc sample video into .cache/samples)",
        StartingWithoutCameras = "Fire safety needs none of them; everything else starts now, without cameras.",
        Running = (groups, households) => $"EdgeWatch demo site is running: {groups} fire-safety groups of {households} households, simulated boards (rpi4-mcp23017),",
        WithCameras = "and one camera per gateway playing the sample pedestrian video (motion at /api/motion).",
        WithoutCameras = "no cameras (see above).",
        Aggregator = "aggregator",
        LivePage = "live page; events at",
        Registry = (groups, households) => $"The registry (in the database) mirrors the real town: {groups} groups, {households} households, two duty officers per shift, two technicians. The API needs the admin token:",
        Broker = "broker",
        Watch = "watch",
        Data = "data",
        TripHelp = "Trip a detector (gateways gw-g1, gw-g2; channels h1..h8 .smoke, .call-point.inside, .call-point.outside):",
        WatchHelp = "Watch: every siren of group g1 sounds at once, a NOTIFY line below lists every member of the group,\n       and {0}/api/events shows the alarm.",
        Then = "Then:",
        CtrlC = "Ctrl+C stops everything.",
        Stopping = "Stopping the demo site...",
        Causes = new Dictionary<string, string>(StringComparer.Ordinal),
    };
}

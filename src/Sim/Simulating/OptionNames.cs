using AofSim.Engine.Server;

namespace AofSim.Sim.Simulating;

/// <summary>
/// The names of policies and crash models as the command line, traces, reports and scenario
/// files spell them. Names are parsed here once, at the edge; inside the simulator they are enums.
/// </summary>
public static class OptionNames
{
    private static readonly string[] Policies = ["always", "everysec", "no", "mixed"];
    private static readonly string[] Models = ["posix", "ext4", "mixed"];

    /// <summary>The name of <paramref name="policy"/>, e.g. <c>everysec</c>.</summary>
    public static string Name(this PolicyOption policy) => Policies[(int)policy];

    /// <summary>The name of <paramref name="model"/>, e.g. <c>posix</c>.</summary>
    public static string Name(this CrashModelOption model) => Models[(int)model];

    /// <summary>The name of <paramref name="policy"/>, as <see cref="PolicyOption"/> spells it.</summary>
    public static string Name(this AppendFsync policy) => AsOption(policy).Name();

    /// <summary>The name of <paramref name="model"/>, as <see cref="CrashModelOption"/> spells it.</summary>
    public static string Name(this CrashModel model) => AsOption(model).Name();

    /// <summary>The policy option named <paramref name="name"/>, or null.</summary>
    public static PolicyOption? ParsePolicy(string name)
    {
        int i = Array.IndexOf(Policies, name);
        return i < 0 ? null : (PolicyOption)i;
    }

    /// <summary>The crash model option named <paramref name="name"/>, or null.</summary>
    public static CrashModelOption? ParseCrashModel(string name)
    {
        int i = Array.IndexOf(Models, name);
        return i < 0 ? null : (CrashModelOption)i;
    }

    /// <summary>The option that fixes <paramref name="policy"/>.</summary>
    public static PolicyOption AsOption(this AppendFsync policy) => policy switch
    {
        AppendFsync.Always => PolicyOption.Always,
        AppendFsync.Everysec => PolicyOption.Everysec,
        _ => PolicyOption.No,
    };

    /// <summary>The option that fixes <paramref name="model"/>.</summary>
    public static CrashModelOption AsOption(this CrashModel model) =>
        model == CrashModel.StrictPosix ? CrashModelOption.Posix : CrashModelOption.Ext4;

    /// <summary>The policy <paramref name="option"/> fixes, or <paramref name="drawn"/> when it is mixed.</summary>
    public static AppendFsync Resolve(this PolicyOption option, AppendFsync drawn) => option switch
    {
        PolicyOption.Always => AppendFsync.Always,
        PolicyOption.Everysec => AppendFsync.Everysec,
        PolicyOption.No => AppendFsync.No,
        _ => drawn,
    };

    /// <summary>The crash model <paramref name="option"/> fixes, or <paramref name="drawn"/> when it is mixed.</summary>
    public static CrashModel Resolve(this CrashModelOption option, CrashModel drawn) => option switch
    {
        CrashModelOption.Posix => CrashModel.StrictPosix,
        CrashModelOption.Ext4 => CrashModel.Ext4Ordered,
        _ => drawn,
    };
}

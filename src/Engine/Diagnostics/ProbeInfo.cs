namespace AofSim.Engine.Diagnostics;

/// <summary>What a probe is.</summary>
/// <param name="Id">The probe.</param>
/// <param name="Description">The state it marks, in a line.</param>
/// <param name="Required">A full test campaign must reach it (docs/simulator.md lists why the others are not required).</param>
/// <param name="FixSwitch">
/// The profile switch whose fix the probe's path belongs to (the path exists only when it is on),
/// or null when the path is the seed's and exists under every profile.
/// </param>
public sealed record ProbeInfo(ProbeId Id, string Description, bool Required, string? FixSwitch = null)
{
    /// <summary>The probe's name.</summary>
    public string Name => Id.ToString();

    /// <summary>True when the probe's path exists under <paramref name="profile"/>.</summary>
    public bool ExistsUnder(Profiles.Profile profile) =>
        FixSwitch is null || (bool)typeof(Profiles.Profile).GetProperty(FixSwitch)!.GetValue(profile)!;
}

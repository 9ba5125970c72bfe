using System.Text.Json.Nodes;

namespace AofSim.Sim.Vectors;

/// <summary>
/// One hand-written vector input: its group, a name that becomes its id, what it shows, the
/// profile it runs under, which Redis versions it claims to agree with, and, for an
/// "acceptable" verdict, the profile whose answer is the other acceptable one.
/// </summary>
/// <param name="Group">The vector group.</param>
/// <param name="Name">A short kebab-case name, unique in its group.</param>
/// <param name="Comment">What the vector shows, in a sentence.</param>
/// <param name="Profile">The profile spec the request names: redis26 or fixed.</param>
/// <param name="Input">The request's input.</param>
/// <param name="Redis">Redis versions whose behaviour the expected output records ("2.6" for the seed, "7.0.15").</param>
/// <param name="Bugs">The historical bugs or decisions it concerns (docs/profiles.md numbers, issue or PR).</param>
/// <param name="AlsoAcceptable">A profile spec whose output is also acceptable (the verdict is then "acceptable").</param>
/// <param name="Note">Why the vector differs from Redis 7 on purpose, when it does.</param>
internal sealed record VectorCase(
    string Group,
    string Name,
    string Comment,
    string Profile,
    JsonObject Input,
    string[] Redis,
    string[]? Bugs = null,
    string? AlsoAcceptable = null,
    string? Note = null);

namespace AofSim.Blackbox.Checking;

/// <summary>One key as read back from a target (or as the model holds it), in the model's terms.</summary>
/// <param name="Db">The workload's db (0..3) of its connection.</param>
/// <param name="Key">The key.</param>
/// <param name="Value">string, List&lt;string&gt;, SortedSet&lt;string&gt;, SortedDictionary&lt;string,double&gt; or SortedDictionary&lt;string,string&gt;.</param>
/// <param name="ExpireAt">Unix ms, or -1.</param>
/// <param name="Body">The canonical line without its db, key and expiry: "type|value".</param>
public sealed record RecoveredKey(int Db, string Key, object Value, long ExpireAt, string Body);

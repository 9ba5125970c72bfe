using System.Diagnostics;
using AofSim.Blackbox.Fuse;
using AofSim.Faults;
using AofSim.Sim.Simulating;

namespace AofSim.Blackbox.Disks;

/// <summary>
/// A fault-injecting disk for real processes: a FUSE mount (libfuse3, see <see cref="FuseMount"/>
/// for the mount options and why) whose files live in the simulator's <see cref="SimStorage"/>,
/// every call going through a <see cref="FaultyStorage"/> running the options' fault plan.
/// </summary>
/// <remarks>
/// Fault model (docs/blackbox.md, "The FUSE disk"): what the target's reads see is the simulated
/// page cache; what survives <see cref="PowerLoss"/> is what the crash model makes of the durable
/// state (fsync/fdatasync make a file's data durable; a directory fsync its names, under
/// StrictPosix; Ext4Ordered keeps names at once and data as an in-order prefix), torn or lost
/// with seeded chances. A process crash (the driver's SIGKILL alone) changes nothing here. The
/// fault plan's fail, short-write, write-cap, disk-full and delay (a real sleep) act on the
/// call; kill and power-loss set <see cref="StopRequested"/> and hold the call until the target
/// has been sent SIGKILL, then fail it (EIO), and after a power loss nothing reaches the storage
/// until <see cref="PowerLoss"/>.
/// <para>API for the driver: <see cref="Unavailable"/> before anything (skip visibly when it
/// says why not); <see cref="Directory"/> to start the target in; poll
/// <see cref="StopRequested"/>; after a kill, <see cref="ClearStop"/>; after a power loss,
/// <see cref="PowerLoss"/> (which also clears it) then <see cref="Image"/> for the durable files
/// to load with the engine's loader; <see cref="Calls"/>, <see cref="CallLog"/>,
/// <see cref="FaultEvents"/> and <see cref="Operations"/> for the record of a run.</para>
/// </remarks>
public sealed class FuseDisk : IBlackboxDisk
{
    private static readonly Lazy<string?> Probe = new(ProbeMount);

    private readonly object gate = new();
    private readonly FuseDiskOptions options;
    private readonly SimStorage storage;
    private readonly FaultyStorage faulty;
    private readonly SimStorageFileSystem fileSystem;
    private readonly SimRandom crashes;
    private readonly List<string> callLog = [];
    private readonly List<FaultEvent> faultEvents = [];
    private readonly bool ownedMountPoint;
    private FuseMount? mount;
    private long callLinesDropped;
    private bool disposed;

    /// <summary>Mounts a fresh simulated disk; throws <see cref="FuseUnavailableException"/> when FUSE cannot mount here.</summary>
    public FuseDisk(FuseDiskOptions? options = null)
    {
        this.options = options ?? new FuseDiskOptions();
        storage = new SimStorage(this.options.Storage);
        storage.OnCall = line =>
        {
            if (callLog.Count < this.options.CallLogLimit)
            {
                callLog.Add(line.ToString());
            }
            else
            {
                callLinesDropped++;
            }
        };
        var clock = Stopwatch.StartNew();
        faulty = new FaultyStorage(storage, this.options.Faults) { Now = () => clock.ElapsedMilliseconds };
        faulty.OnFault = faultEvents.Add;
        fileSystem = new SimStorageFileSystem(gate, storage, faulty);
        crashes = new SimRandom(this.options.Seed);
        ownedMountPoint = this.options.MountPoint is null;
        Directory = this.options.MountPoint ?? System.IO.Directory.CreateTempSubdirectory("aofsim-fuse-").FullName;
        try
        {
            CleanStaleMount(Directory);
            mount = new FuseMount(Directory, fileSystem);
        }
        catch
        {
            RemoveMountPoint();
            throw;
        }
    }

    /// <summary>
    /// Null when a FUSE disk can be mounted here, else one line saying why not (not Linux, no
    /// /dev/fuse, no libfuse3, the mount refused). Found once per process, by mounting a probe.
    /// </summary>
    public static string? Unavailable() => Probe.Value;

    /// <inheritdoc/>
    public string Directory { get; }

    /// <inheritdoc/>
    public string Describe =>
        $"fuse {Directory} ({options.Storage.Model}, sector {options.Storage.SectorSize} B, seed {options.Seed}, {options.Faults.Faults.Count} fault(s))";

    /// <inheritdoc/>
    public DiskStop? StopRequested
    {
        get
        {
            lock (gate)
            {
                return fileSystem.Stop;
            }
        }
    }

    /// <summary>Power losses so far.</summary>
    public int PowerLosses { get; private set; }

    /// <summary>The simulated storage's calls so far (those that change or sync state).</summary>
    public long Calls
    {
        get
        {
            lock (gate)
            {
                return storage.Calls;
            }
        }
    }

    /// <summary>The simulated storage's call lines so far, in order (e.g. "write 3 31 =31"), up to the options' limit.</summary>
    public IReadOnlyList<string> CallLog
    {
        get
        {
            lock (gate)
            {
                return [.. callLog];
            }
        }
    }

    /// <summary>Call lines not kept in <see cref="CallLog"/> (past its limit).</summary>
    public long CallLinesDropped
    {
        get
        {
            lock (gate)
            {
                return callLinesDropped;
            }
        }
    }

    /// <summary>The faults of the plan that fired, in order.</summary>
    public IReadOnlyList<FaultEvent> FaultEvents
    {
        get
        {
            lock (gate)
            {
                return [.. faultEvents];
            }
        }
    }

    /// <summary>Kernel requests served so far, by FUSE operation (getattr, open, write, fsyncdir, …).</summary>
    public IReadOnlyDictionary<string, long> Operations
    {
        get
        {
            lock (gate)
            {
                return new Dictionary<string, long>(fileSystem.Operations, StringComparer.Ordinal);
            }
        }
    }

    /// <summary>The files now (paths relative to <see cref="Directory"/>, "/"-separated), sorted.</summary>
    public IReadOnlyList<string> Files
    {
        get
        {
            lock (gate)
            {
                return [.. storage.Names];
            }
        }
    }

    /// <summary>The directories now (relative paths; the root not listed), sorted.</summary>
    public IReadOnlyList<string> Directories
    {
        get
        {
            lock (gate)
            {
                return [.. storage.Directories];
            }
        }
    }

    /// <summary>What reads of <paramref name="path"/> (relative) see now, or null when there is no such file.</summary>
    public byte[]? ReadFile(string path)
    {
        lock (gate)
        {
            return storage.ReadAll(path);
        }
    }

    /// <summary>
    /// Every file's content as reads see it now; right after <see cref="PowerLoss"/> this is the
    /// durable image, what a loader run on the disk would find.
    /// </summary>
    public IReadOnlyDictionary<string, byte[]> Image()
    {
        lock (gate)
        {
            return storage.Names.ToDictionary(n => n, n => storage.ReadAll(n)!, StringComparer.Ordinal);
        }
    }

    /// <summary>Runs <paramref name="query"/> on the simulated storage under the disk's lock (read it, do not change it).</summary>
    public T Inspect<T>(Func<SimStorage, T> query)
    {
        lock (gate)
        {
            return query(storage);
        }
    }

    /// <summary>After the driver killed the target for a <see cref="DiskStop.Kill"/>: the stop is handled.</summary>
    public void ClearStop()
    {
        lock (gate)
        {
            fileSystem.ClearStop();
        }
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Unmounts (the target is dead, so nothing holds the mount), applies the crash model with the
    /// next choices of the disk's seeded random (the same as <see cref="SimStorage.Crash(SimRandom)"/>
    /// on a storage that saw the same calls with a <see cref="SimRandom"/> of the same seed), and
    /// mounts again, so that the kernel keeps nothing from before.
    /// </remarks>
    public IReadOnlyList<string> PowerLoss()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        mount?.Dispose();
        mount = null;
        IReadOnlyList<string> report;
        lock (gate)
        {
            report = storage.Crash(crashes);
            fileSystem.ClearStop();
            PowerLosses++;
        }

        mount = new FuseMount(Directory, fileSystem);
        return report;
    }

    /// <summary>Unmounts (releasing any held call first) and removes a temporary mount point.</summary>
    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        fileSystem.ReleaseHeld();
        try
        {
            mount?.Dispose();
        }
        finally
        {
            mount = null;
            CleanStaleMount(Directory);
            RemoveMountPoint();
        }
    }

    // A mount point left mounted (a dead process's, or ours after a failed unmount) answers
    // ENOTCONN or still shows as mounted: fusermount3 -uz detaches it.
    private static void CleanStaleMount(string mountPoint)
    {
        string full = Path.GetFullPath(mountPoint).TrimEnd('/');
        bool mounted = File.Exists("/proc/self/mounts") &&
            File.ReadLines("/proc/self/mounts").Any(l => l.Split(' ') is [_, string at, ..] && at == full);
        if (!mounted)
        {
            return;
        }

        try
        {
            using Process? p = Process.Start(new ProcessStartInfo("fusermount3", ["-uz", full]) { RedirectStandardError = true, RedirectStandardOutput = true });
            p?.WaitForExit(10_000);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No fusermount3: the lazy unmount by syscall does the same for root.
            FuseNative.Umount2(full, FuseNative.MNT_DETACH);
        }
    }

    private void RemoveMountPoint()
    {
        if (ownedMountPoint && System.IO.Directory.Exists(Directory))
        {
            try
            {
                System.IO.Directory.Delete(Directory, recursive: false);
            }
            catch (IOException)
            {
                // Still busy (a detached mount in use): left for the system's temp cleaning.
            }
        }
    }

    private static string? ProbeMount()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "FUSE disk: not Linux";
        }

        if (!File.Exists("/dev/fuse"))
        {
            return "FUSE disk: no /dev/fuse (a container needs --device /dev/fuse --cap-add SYS_ADMIN)";
        }

        if (!System.Runtime.InteropServices.NativeLibrary.TryLoad(FuseNative.Library, out nint handle))
        {
            return $"FUSE disk: {FuseNative.Library} not found (apt-get install fuse3)";
        }

        System.Runtime.InteropServices.NativeLibrary.Free(handle);
        try
        {
            using var disk = new FuseDisk();
            File.WriteAllBytes(Path.Combine(disk.Directory, "probe"), [1]);
            return disk.Files is ["probe"] ? null : "FUSE disk: a probe file written through the mount did not reach the storage";
        }
        catch (FuseUnavailableException e)
        {
            return $"FUSE disk: mount refused: {e.Message}";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            return $"FUSE disk: the probe mount failed: {e.Message}";
        }
    }
}

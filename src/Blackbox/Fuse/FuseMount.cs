using System.Runtime.InteropServices;
using static AofSim.Blackbox.Fuse.FuseNative;

namespace AofSim.Blackbox.Fuse;

/// <summary>
/// One kernel mount of an <see cref="IFuseFileSystem"/> through libfuse3, served by a single loop
/// thread of its own (fuse_loop, not the multi-threaded loop: the simulated storage behind it is
/// not thread-safe, and one request at a time is also the order the storage records).
/// </summary>
/// <remarks>
/// Mount options, and why: <c>direct_io</c> (every read and write reaches the storage: the kernel
/// keeps no page cache of the mount, so a write the target made is in the simulated cache at once
/// and a read sees what the simulated cache holds, not a stale page); <c>entry_timeout=0</c>,
/// <c>attr_timeout=0</c>, <c>negative_timeout=0</c> (every lookup and stat asks the storage, so a
/// file a power loss removed or shortened is seen at once); no <c>kernel_cache</c>, no
/// <c>auto_cache</c>, and the writeback cache refused at init (writes are never held back and
/// merged by the kernel); <c>hard_remove</c> (an unlinked open file is gone from the directory
/// at once, as on a real disk, not renamed to .fuse_hidden*); <c>fsname=aofsim</c>.
/// </remarks>
internal sealed unsafe class FuseMount : IDisposable
{
    // direct_io and hard_remove are not -o options in libfuse 3: FuseCallbacks.Init sets them in fuse_config.
    private const string Options = "fsname=aofsim,subtype=aofsim,entry_timeout=0,attr_timeout=0,negative_timeout=0";

    private readonly Thread loop;
    private readonly ManualResetEventSlim ready = new();
    private string? failure;
    private bool unmounted;

    /// <summary>Mounts <paramref name="fileSystem"/> on <paramref name="mountPoint"/> (an existing empty directory); throws <see cref="FuseUnavailableException"/> when it cannot.</summary>
    public FuseMount(string mountPoint, IFuseFileSystem fileSystem)
    {
        MountPoint = mountPoint;
        loop = new Thread(() => Serve(fileSystem)) { IsBackground = true, Name = $"fuse {mountPoint}" };
        loop.Start();
        if (!ready.Wait(TimeSpan.FromSeconds(30)))
        {
            failure ??= "fuse_mount did not return within 30 s";
        }

        if (failure is not null)
        {
            throw new FuseUnavailableException(failure);
        }
    }

    /// <summary>The mount point.</summary>
    public string MountPoint { get; }

    /// <summary>
    /// Unmounts: umount2, which ends the kernel connection and so the loop; when something still
    /// holds the mount, the connection is aborted through fusectl and the mount detached
    /// (MNT_DETACH). Then waits for the loop thread to free libfuse's state. Idempotent.
    /// </summary>
    public void Dispose()
    {
        if (unmounted)
        {
            return;
        }

        unmounted = true;
        string? abort = null;
        if (loop.IsAlive)
        {
            // Found in the kernel's mount table, not by a stat of the mount point: a stat is a
            // request to this very file system, which fails (EIO) while the power is off after a
            // power-loss fault; the connection was then never aborted, the detached mount lived
            // on as long as a process held it, and the loop did not end.
            abort = AbortFile(MountPoint);
            if (Umount2(MountPoint, 0) != 0)
            {
                // Busy: a process still has a file (or its working directory) on the mount. The
                // driver kills the target first, so this is a leftover: abort the connection (the
                // holder's calls fail with ENOTCONN, the loop's read ends) and detach the mount.
                Abort(abort);
                Umount2(MountPoint, MNT_DETACH);
            }
        }

        if (!loop.Join(TimeSpan.FromSeconds(10)))
        {
            // The unmount did not end the connection (a lazy unmount still held): end it now.
            Abort(abort);
            if (!loop.Join(TimeSpan.FromSeconds(20)))
            {
                throw new InvalidOperationException($"the FUSE loop of {MountPoint} did not end within 30 s of the unmount");
            }
        }

        ready.Dispose();
    }

    // /sys/fs/fuse/connections/<the mount's device number>/abort, from /proc/self/mountinfo
    // ("id parent major:minor root mount-point ..."); the last line for the mount point is the
    // mount on top. Null when the mount point is not in the table.
    private static string? AbortFile(string mountPoint)
    {
        string full = Path.GetFullPath(mountPoint).TrimEnd('/');
        string? device = null;
        foreach (string line in File.ReadLines("/proc/self/mountinfo"))
        {
            string[] f = line.Split(' ');
            if (f.Length > 4 && f[4] == full)
            {
                device = f[2];
            }
        }

        if (device?.Split(':') is not [string major, string minor] ||
            !uint.TryParse(major, System.Globalization.CultureInfo.InvariantCulture, out uint ma) ||
            !uint.TryParse(minor, System.Globalization.CultureInfo.InvariantCulture, out uint mi))
        {
            return null;
        }

        // The kernel's dev_t, as fusectl names the connection: major << 20 | minor.
        return $"/sys/fs/fuse/connections/{(ma << 20) | mi}/abort";
    }

    private static void Abort(string? abort)
    {
        if (abort is not null && File.Exists(abort))
        {
            try
            {
                File.WriteAllText(abort, "1");
            }
            catch (IOException)
            {
                // Gone already: the loop ends by itself.
            }
        }
    }

    private void Serve(IFuseFileSystem fileSystem)
    {
        FuseCallbacks.Current = fileSystem;
        string[] argv = ["aofsim", "-o", Options];
        nint[] strings = [.. argv.Select(Marshal.StringToCoTaskMemUTF8)];
        nint fuse = 0;
        try
        {
            fixed (nint* av = strings)
            {
                var args = new FuseArgs { Argc = argv.Length, Argv = (byte**)av, Allocated = 0 };
                fuse = FuseNew(&args, FuseCallbacks.Operations, (nuint)sizeof(FuseOperations), 0);
                FuseOptFreeArgs(&args);
            }

            if (fuse == 0)
            {
                failure = "fuse_new refused the options (libfuse3 printed why on stderr)";
                return;
            }

            if (FuseMount(fuse, MountPoint) != 0)
            {
                failure = $"fuse_mount of {MountPoint} failed (mount refused: no permission, or /dev/fuse unusable)";
                return;
            }

            ready.Set();
            FuseLoop(fuse);
            FuseUnmount(fuse);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            failure = $"{Library} not loadable: {e.Message}";
        }
        finally
        {
            if (fuse != 0)
            {
                FuseDestroy(fuse);
            }

            foreach (nint s in strings)
            {
                Marshal.FreeCoTaskMem(s);
            }

            ready.Set();
        }
    }
}

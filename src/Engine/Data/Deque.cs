namespace AofSim.Engine.Data;

/// <summary>
/// A growable ring buffer with O(1) push and pop at both ends and O(1) indexing: what a Redis
/// list needs (LPUSH, RPOP, LINDEX, LSET) without a linked list's pointer chasing.
/// </summary>
/// <typeparam name="T">Element type.</typeparam>
public sealed class Deque<T>
{
    private T[] items;
    private int head;
    private int count;

    /// <summary>Creates an empty deque.</summary>
    public Deque(int capacity = 4) => items = new T[Math.Max(capacity, 4)];

    /// <summary>Number of elements.</summary>
    public int Count => count;

    /// <summary>The element at <paramref name="index"/> counted from the head.</summary>
    public T this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)count, nameof(index));
            return items[(head + index) % items.Length];
        }

        set
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)count, nameof(index));
            items[(head + index) % items.Length] = value;
        }
    }

    /// <summary>Adds at the head.</summary>
    public void PushFront(T item)
    {
        Grow();
        head = (head - 1 + items.Length) % items.Length;
        items[head] = item;
        count++;
    }

    /// <summary>Adds at the tail.</summary>
    public void PushBack(T item)
    {
        Grow();
        items[(head + count) % items.Length] = item;
        count++;
    }

    /// <summary>Removes and returns the head.</summary>
    public T PopFront()
    {
        if (count == 0)
        {
            throw new InvalidOperationException("empty deque");
        }

        T item = items[head];
        items[head] = default!;
        head = (head + 1) % items.Length;
        count--;
        return item;
    }

    /// <summary>Removes and returns the tail.</summary>
    public T PopBack()
    {
        if (count == 0)
        {
            throw new InvalidOperationException("empty deque");
        }

        int tail = (head + count - 1) % items.Length;
        T item = items[tail];
        items[tail] = default!;
        count--;
        return item;
    }

    /// <summary>Inserts before position <paramref name="index"/> (O(n)).</summary>
    public void Insert(int index, T item)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)index, (uint)count, nameof(index));
        PushBack(item);
        for (int i = count - 1; i > index; i--)
        {
            this[i] = this[i - 1];
        }

        this[index] = item;
    }

    /// <summary>Drops the elements (index, value) for which <paramref name="remove"/> is true, keeping order (O(n)).</summary>
    /// <returns>How many elements were removed.</returns>
    public int RemoveWhere(Func<int, T, bool> remove)
    {
        var kept = new T[Math.Max(4, items.Length)];
        int n = 0;
        for (int i = 0; i < count; i++)
        {
            T item = this[i];
            if (!remove(i, item))
            {
                kept[n++] = item;
            }
        }

        int removed = count - n;
        items = kept;
        head = 0;
        count = n;
        return removed;
    }

    /// <summary>Keeps the inclusive range [start, end] of indexes and drops the rest (LTRIM).</summary>
    public void Trim(int start, int end) => RemoveWhere((i, _) => i < start || i > end);

    /// <summary>Copies the deque (the copy-on-write step of a fork).</summary>
    public Deque<T> Clone()
    {
        var copy = new Deque<T>(count);
        for (int i = 0; i < count; i++)
        {
            copy.PushBack(this[i]);
        }

        return copy;
    }

    /// <summary>Enumerates head to tail.</summary>
    public IEnumerable<T> Items()
    {
        for (int i = 0; i < count; i++)
        {
            yield return this[i];
        }
    }

    private void Grow()
    {
        if (count < items.Length)
        {
            return;
        }

        var bigger = new T[items.Length * 2];
        for (int i = 0; i < count; i++)
        {
            bigger[i] = items[(head + i) % items.Length];
        }

        items = bigger;
        head = 0;
    }
}

namespace PercepNetFx.Dsp.Metering;

/// <summary>
/// Single-producer / single-consumer triple buffer for <see cref="MeterSnapshot"/>s.
/// The audio thread writes into <see cref="WriteBuffer"/> and calls <see cref="Publish"/>; the UI
/// thread calls <see cref="TryRead"/> and gets the newest complete snapshot. Three buffers mean
/// neither side ever waits: the producer always owns one ("back"), the consumer owns one
/// ("front") and the third ("middle") is the hand-over slot, swapped with one Interlocked.Exchange
/// per side. No locks, no allocation after construction, and a slow reader only skips snapshots.
/// </summary>
public sealed class MeterExchange
{
    // middle = index of the hand-over buffer (bits 0–1) | FreshBit when the producer put a snapshot
    // there that the consumer has not taken yet.
    private const int FreshBit = 4;
    private const int IndexMask = 3;

    private readonly MeterSnapshot[] buffers = { new(), new(), new() };
    private int middle = 1;   // shared; touched only through Interlocked / Volatile
    private int back;         // producer-owned index
    private int front = 2;    // consumer-owned index
    private long published;

    /// <summary>The producer's private buffer: fill it, then call <see cref="Publish"/>. Producer thread only.</summary>
    public MeterSnapshot WriteBuffer => buffers[back];

    /// <summary>Snapshots published so far (diagnostics; written by the producer only).</summary>
    public long PublishedCount => Volatile.Read(ref published);

    /// <summary>Hands <see cref="WriteBuffer"/> to the consumer and takes the old hand-over buffer as the next write buffer.
    /// The Interlocked exchange is a full fence, so every field write before it is visible to a reader that takes the buffer.</summary>
    public void Publish()
    {
        int old = Interlocked.Exchange(ref middle, back | FreshBit);
        back = old & IndexMask;
        Volatile.Write(ref published, published + 1);
    }

    /// <summary>
    /// Consumer thread only. When a snapshot newer than the last read exists, swaps it in and
    /// returns true; otherwise returns false. In both cases <paramref name="snapshot"/> is the
    /// newest snapshot the consumer owns (stays valid and unchanged until the next TryRead).
    /// </summary>
    public bool TryRead(out MeterSnapshot snapshot)
    {
        bool fresh = (Volatile.Read(ref middle) & FreshBit) != 0;
        if (fresh)
        {
            // Only the producer sets FreshBit, so it cannot disappear between the read and the swap.
            int old = Interlocked.Exchange(ref middle, front);
            front = old & IndexMask;
        }
        snapshot = buffers[front];
        return fresh;
    }
}

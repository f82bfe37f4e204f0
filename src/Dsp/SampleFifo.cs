namespace PercepNetFx.Dsp;

/// <summary>Fixed-capacity ring buffer of samples; allocation-free after construction.</summary>
public sealed class SampleFifo(int capacity)
{
    private readonly float[] data = new float[capacity];
    private int read, count;

    public int Count => count;
    public int Capacity => data.Length;

    public void Clear() { read = 0; count = 0; }

    /// <summary>Appends samples; returns false (and appends nothing) if they do not fit.</summary>
    public bool Push(ReadOnlySpan<float> samples)
    {
        if (samples.Length > data.Length - count) return false;
        int write = (read + count) % data.Length;
        int first = Math.Min(samples.Length, data.Length - write);
        samples[..first].CopyTo(data.AsSpan(write));
        samples[first..].CopyTo(data);
        count += samples.Length;
        return true;
    }

    /// <summary>Appends <paramref name="n"/> zeros (latency padding).</summary>
    public bool PushZeros(int n)
    {
        if (n > data.Length - count) return false;
        int write = (read + count) % data.Length;
        int first = Math.Min(n, data.Length - write);
        data.AsSpan(write, first).Clear();
        data.AsSpan(0, n - first).Clear();
        count += n;
        return true;
    }

    /// <summary>Removes up to destination.Length samples; returns how many were copied.</summary>
    public int Pop(Span<float> destination)
    {
        int n = Math.Min(destination.Length, count);
        int first = Math.Min(n, data.Length - read);
        data.AsSpan(read, first).CopyTo(destination);
        data.AsSpan(0, n - first).CopyTo(destination[first..]);
        read = (read + n) % data.Length;
        count -= n;
        return n;
    }
}

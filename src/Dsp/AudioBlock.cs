namespace PercepNetFx.Dsp;

/// <summary>One block of planar audio: 1 or 2 channels; outputs may alias inputs (in-place).</summary>
public readonly ref struct AudioBlock
{
    public AudioBlock(Span<float> in0, Span<float> in1, Span<float> out0, Span<float> out1, int channels)
    {
        In0 = in0; In1 = in1; Out0 = out0; Out1 = out1; Channels = channels;
    }
    public Span<float> In0 { get; }
    public Span<float> In1 { get; }
    public Span<float> Out0 { get; }
    public Span<float> Out1 { get; }
    public int Channels { get; }
    public int Length => In0.Length;

    public AudioBlock Slice(int start, int length) => new(In0.Slice(start, length),
        Channels == 2 ? In1.Slice(start, length) : default, Out0.Slice(start, length),
        Channels == 2 ? Out1.Slice(start, length) : default, Channels);
}

using PercepNetFx.Dsp;
using PercepNetFx.Offline;

namespace PercepNetFx.Offline.Tests;

/// <summary>Automation files: the documented format, a DAW lane's values (checked against hand-computed lines), one-line errors.</summary>
public class AutomationTests
{
    [Fact]
    public void Ramps_lie_on_the_line_between_points_steps_hold_until_their_sample_and_the_ends_hold()
    {
        // At 1000 Hz: strength 20 % at sample 500, a ramp to 80 % at 1500, a step to 10 % at 2000.
        var a = Automation.Parse("0.5,strength,20\n1.5,strength,80\n2,strength,10,step\n", "t").At(1000);
        Assert.Equal(0.2, a.ValueAt(Controls.StrengthIndex, 0), 12);     // before the first point: its value
        Assert.Equal(0.2, a.ValueAt(Controls.StrengthIndex, 500), 12);
        Assert.Equal(0.5, a.ValueAt(Controls.StrengthIndex, 1000), 12);  // half way: (20 + 80) / 2 %
        Assert.Equal(0.2 + 0.6 * 999 / 1000, a.ValueAt(Controls.StrengthIndex, 1499), 12);
        Assert.Equal(0.8, a.ValueAt(Controls.StrengthIndex, 1999), 12);  // a step holds the earlier value …
        Assert.Equal(0.1, a.ValueAt(Controls.StrengthIndex, 2000), 12);  // … and jumps on its own sample
        Assert.Equal(0.1, a.ValueAt(Controls.StrengthIndex, 10_000), 12);
        Assert.False(a.Has(Controls.PostFilterIndex));
        Assert.Equal(2000, a.NextPointAfter(1500));
        Assert.Equal(long.MaxValue, a.NextPointAfter(2000));
    }

    [Fact]
    public void Choices_take_labels_in_any_case_and_step_comments_units_and_crlf_are_accepted()
    {
        const string text = "# header line\r\n\r\n 0.25 , bypass , ON  # trailing comment\r\n0.75,bypass,off\r\n0,listen,Removed\r\n0.1,postfilter,40 %\r\n0.2,comb,off,step\r\n";
        var parsed = Automation.Parse(text, "t");
        Assert.Equal(new[] { new AutomationPoint(0.25, 1, AutomationShape.Step), new AutomationPoint(0.75, 0, AutomationShape.Step) },
            parsed.Points(Controls.BypassIndex));
        Assert.Equal(new AutomationPoint(0, 1, AutomationShape.Step), Assert.Single(parsed.Points(Controls.ListenIndex)));
        Assert.Equal(new AutomationPoint(0.1, 0.4, AutomationShape.Ramp), Assert.Single(parsed.Points(Controls.PostFilterIndex)));
        Assert.Equal(0.0, Assert.Single(parsed.Points(Controls.CombIndex)).Value);
        var a = parsed.At(48000);
        Assert.Equal(1.0, a.ValueAt(Controls.BypassIndex, 0));       // the first value holds before the first point
        Assert.Equal(1.0, a.ValueAt(Controls.BypassIndex, 35_999));
        Assert.Equal(0.0, a.ValueAt(Controls.BypassIndex, 36_000));
    }

    [Fact]
    public void Points_fall_on_their_nearest_sample()
    {
        var a = Automation.Parse("0,bypass,off\n0.00104,bypass,on\n0.0026,bypass,off\n", "t").At(1000); // 1.04 → 1, 2.6 → 3
        Assert.Equal(0.0, a.ValueAt(Controls.BypassIndex, 0), 12);
        Assert.Equal(1.0, a.ValueAt(Controls.BypassIndex, 1), 12);
        Assert.Equal(1.0, a.ValueAt(Controls.BypassIndex, 2), 12);
        Assert.Equal(0.0, a.ValueAt(Controls.BypassIndex, 3), 12);
    }

    [Theory]
    [InlineData("0,strength", "f.txt:1: expected time_seconds,control,value[,ramp|step], got 2 fields")]
    [InlineData("# c\n0,strength,50,ramp,x", "f.txt:2: expected time_seconds,control,value[,ramp|step], got 5 fields")]
    [InlineData("-1,strength,50", "f.txt:1: time must be a number of seconds >= 0, got '-1'")]
    [InlineData("soon,strength,50", "f.txt:1: time must be a number of seconds >= 0, got 'soon'")]
    [InlineData("0,volume,50", "f.txt:1: unknown control 'volume' (controls: strength, postfilter, comb, bypass, listen)")]
    [InlineData("0,strength,150", "f.txt:1: strength takes a number from 0 to 100 (%), got '150'")]
    [InlineData("0,strength,0.5x", "f.txt:1: strength takes a number from 0 to 100 (%), got '0.5x'")]
    [InlineData("0,bypass,yes", "f.txt:1: bypass takes off|on, got 'yes'")]
    [InlineData("0,listen,on", "f.txt:1: listen takes output|removed, got 'on'")]
    [InlineData("0,comb,on,ramp", "f.txt:1: comb is a choice: its points can only step")]
    [InlineData("0,strength,50,smooth", "f.txt:1: shape must be ramp or step, got 'smooth'")]
    [InlineData("1,strength,50\n\n1,strength,60", "f.txt:3: time 1 is not after the previous strength point (1 s)")]
    [InlineData("# nothing\n\n", "f.txt: no automation points")]
    public void A_bad_file_is_one_line_naming_the_file_the_line_and_what_is_wrong(string text, string message)
    {
        var e = Assert.Throws<AutomationFormatException>(() => Automation.Parse(text, "f.txt"));
        Assert.Equal(message, e.Message);
    }
}

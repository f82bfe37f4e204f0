using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("PercepNetFx.Dsp.Tests")]

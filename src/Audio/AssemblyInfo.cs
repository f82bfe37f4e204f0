namespace PercepNetFx.Audio;

using PercepNetFx.Cli;

return CommandLine.Run(args);

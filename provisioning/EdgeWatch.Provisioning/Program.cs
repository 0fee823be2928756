// edgewatch-provision: the technician's tool for bringing up a trusted node. See provisioning/README.md.
return await EdgeWatch.Provisioning.ProvisioningCli.RunAsync(args, Console.Out, Console.Error, TimeProvider.System);

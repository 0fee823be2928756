using EdgeWatch.Demo;

// dotnet run --project cloud/EdgeWatch.Demo [-- --port N]; "demo" as the first argument is accepted too.
return await DemoCommand.RunAsync(args is ["demo", .. var rest] ? rest : args);

var app = WebApplication.CreateBuilder(args).Build();
app.MapGet("/", () => $"Hello from ASP.NET Core on .NET {Environment.Version}\n");
app.Run();

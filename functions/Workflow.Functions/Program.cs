using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Workflow.Api;
using Workflow.Api.Durable;
using Workflow.Functions;

// The Functions host runs this worker: HTTP triggers through ASP.NET Core integration, the orchestrator and its
// activities through the Durable extension (Durable Task Framework on Azure Storage). Everything below only wires.
FunctionsApplicationBuilder builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();

builder.Services.AddVehicleCommandsApi(builder.Configuration, builder.Environment);

// Under the Functions host the Durable extension serializes every payload (inputs, outputs, events, custom status)
// with the worker's serializer and ignores a DataConverter service: the product's converter goes there.
builder.Services.AddOptions<WorkerOptions>().Configure<CommandPayloadConverter>((o, converter) => o.Serializer = new PayloadSerializer(converter));

await builder.Build().RunAsync();

using Azure.Core.Serialization;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Workflow.Api;
using Workflow.Api.Durable;

// The Functions host runs this worker: HTTP triggers through ASP.NET Core integration, the orchestrator and its
// activities through the Durable extension (Durable Task Framework on Azure Storage). Everything below only wires.
FunctionsApplicationBuilder builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();

builder.Services.AddVehicleCommandsApi(builder.Configuration, builder.Environment);

// Function return values (activity outputs) use the same JSON shape as every other payload of the workflow.
builder.Services.Configure<WorkerOptions>(o => o.Serializer = new JsonObjectSerializer(CommandPayloadConverter.SerializerOptions));

await builder.Build().RunAsync();

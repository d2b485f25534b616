// The Vercel AI SDK (`ai`) with @ai-sdk/google, pointed at mockgem by baseURL {mockgem}/v1beta.
import { createGoogleGenerativeAI } from "@ai-sdk/google";
import { generateText, jsonSchema, stepCountIs, streamText, tool } from "ai";
import { MODEL, URL_ROOT, runScenarios } from "./scenarios.mjs";

const google = createGoogleGenerativeAI({ apiKey: "test-key", baseURL: `${URL_ROOT}/v1beta` });
const model = google(MODEL);

await runScenarios({
  async generate_text() {
    const result = await generateText({ model, prompt: "Say hello" });
    return { text: result.text, finish: result.finishReason, tokens: result.usage.totalTokens };
  },
  async stream_text() {
    const result = streamText({ model, prompt: "Tell me a story" });
    const deltas = [];
    for await (const delta of result.textStream) deltas.push(delta);
    return { chunks: deltas.length, text: deltas.join("") };
  },
  async tools() {
    const getWeather = tool({
      description: "Weather in a city",
      inputSchema: jsonSchema({ type: "object", properties: { city: { type: "string" } }, required: ["city"] }),
      execute: async ({ city }) => `sunny in ${city}`,
    });
    const result = await generateText({ model, prompt: "What is the weather in Paris?", tools: { get_weather: getWeather }, stopWhen: stepCountIs(3) });
    const calls = result.steps.flatMap((step) => step.toolCalls.map((call) => [call.toolName, call.input]));
    return { calls, text: result.text };
  },
  async google_search() {
    const result = await generateText({ model, prompt: "Who won the match?", tools: { google_search: google.tools.googleSearch({}) } });
    return { text: result.text, sources: result.sources.map((source) => source.url ?? source.title) };
  },
});

// The openai npm SDK on Gemini's OpenAI-compatible layer: baseURL {mockgem}/v1beta/openai/.
import OpenAI, { RateLimitError } from "openai";
import { MODEL, URL_ROOT, runScenarios } from "./scenarios.mjs";

const client = new OpenAI({ apiKey: "test-key", baseURL: `${URL_ROOT}/v1beta/openai/`, maxRetries: 0 });
const tools = [{ type: "function", function: { name: "get_weather", description: "Weather in a city", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } } }];

await runScenarios({
  async chat() {
    const response = await client.chat.completions.create({ model: MODEL, messages: [{ role: "user", content: "Say hello" }] });
    return { text: response.choices[0].message.content, finish: response.choices[0].finish_reason };
  },
  async stream() {
    const stream = await client.chat.completions.create({ model: MODEL, messages: [{ role: "user", content: "Tell me a story" }], stream: true });
    let text = "";
    let chunks = 0;
    for await (const chunk of stream) {
      chunks += 1;
      text += chunk.choices[0]?.delta?.content ?? "";
    }
    return { chunks, text };
  },
  async tools() {
    const messages = [{ role: "user", content: "What is the weather in Paris?" }];
    const first = await client.chat.completions.create({ model: MODEL, messages, tools });
    const call = first.choices[0].message.tool_calls[0];
    messages.push(first.choices[0].message, { role: "tool", tool_call_id: call.id, content: "sunny" });
    const second = await client.chat.completions.create({ model: MODEL, messages, tools });
    return { call: call.function.name, args: JSON.parse(call.function.arguments), text: second.choices[0].message.content };
  },
  async embeddings() {
    const response = await client.embeddings.create({ model: "gemini-embedding-001", input: ["one", "two"], dimensions: 8 });
    return { count: response.data.length, size: response.data[0].embedding.length, tokens: response.usage.prompt_tokens };
  },
  async quota() {
    try {
      await client.chat.completions.create({ model: MODEL, messages: [{ role: "user", content: "quota please" }] });
      return { raised: false };
    } catch (error) {
      return { raised: error instanceof RateLimitError, status: error.status };
    }
  },
});

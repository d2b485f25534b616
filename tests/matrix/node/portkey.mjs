// Portkey's AI gateway (started by the test on PORTKEY_URL) with the google provider's custom
// host at mockgem, driven as its users do: the openai SDK with x-portkey-* headers.
import OpenAI from "openai";
import { MODEL, URL_ROOT, runScenarios } from "./scenarios.mjs";

const headers = { "x-portkey-provider": "google", "x-portkey-custom-host": URL_ROOT, "x-portkey-strict-open-ai-compliance": "false" };
const client = new OpenAI({ apiKey: "test-key", baseURL: `${process.env.PORTKEY_URL}/v1`, defaultHeaders: headers, maxRetries: 0 });
const tools = [{ type: "function", function: { name: "get_weather", description: "Weather in a city", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } } }];

await runScenarios({
  async chat() {
    const response = await client.chat.completions.create({ model: MODEL, messages: [{ role: "user", content: "Say hello" }] });
    return { text: response.choices[0].message.content, tokens: response.usage.total_tokens };
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
    // Portkey names the functionResponse after the tool message's `name` (its filler otherwise).
    messages.push(first.choices[0].message, { role: "tool", tool_call_id: call.id, name: call.function.name, content: "sunny" });
    const second = await client.chat.completions.create({ model: MODEL, messages, tools });
    return { call: call.function.name, args: JSON.parse(call.function.arguments), text: second.choices[0].message.content };
  },
  async reasoning() {
    const response = await client.chat.completions.create({ model: MODEL, messages: [{ role: "user", content: "Think: what is six times seven?" }], reasoning_effort: "low" });
    const message = response.choices[0].message;
    const thinking = (message.content_blocks ?? []).filter((block) => block.type === "thinking").map((block) => block.thinking);
    return { text: message.content, thinking, reasoning_tokens: response.usage.completion_tokens_details?.reasoning_tokens };
  },
});

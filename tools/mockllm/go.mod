// Wrapper module for github.com/kagent-dev/mockllm (the scripted model server of kagent's e2e
// tests, the same module kagent v0.9.9's core/hack/mockllm uses), listening on loopback.
module appmod.local/tools/mockllm

go 1.26.0

require github.com/kagent-dev/mockllm v0.0.5

require (
	github.com/anthropics/anthropic-sdk-go v1.13.0 // indirect
	github.com/gorilla/mux v1.8.1 // indirect
	github.com/openai/openai-go/v3 v3.15.0 // indirect
	github.com/tidwall/gjson v1.18.0 // indirect
	github.com/tidwall/match v1.2.0 // indirect
	github.com/tidwall/pretty v1.2.1 // indirect
	github.com/tidwall/sjson v1.2.5 // indirect
)

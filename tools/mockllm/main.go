// Command mockllm serves github.com/kagent-dev/mockllm (the scripted OpenAI / Anthropic compatible
// model server kagent's e2e tests use) on an address of our choosing. kagent's own
// core/hack/mockllm always listens on ":<LLM_PORT>" (all interfaces) and also starts a mock STS
// server on ":8091"; the local smoke tests need neither, so this wrapper only sets ListenAddr.
//
//	mockllm -listen 127.0.0.1:18090 tools/mockllm/mocks.json
package main

import (
	"context"
	"flag"
	"io/fs"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/kagent-dev/mockllm"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:18090", "host:port to listen on")
	flag.Parse()
	if flag.NArg() != 1 {
		log.Fatalf("usage: %s [-listen host:port] <mockllm config .json>", os.Args[0])
	}
	path, err := filepath.Abs(flag.Arg(0))
	if err != nil {
		log.Fatal(err)
	}
	cfg, err := mockllm.LoadConfigFromFile(filepath.Base(path), os.DirFS(filepath.Dir(path)).(fs.ReadFileFS))
	if err != nil {
		log.Fatalf("load %s: %v", path, err)
	}
	cfg.ListenAddr = *listen
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	server := mockllm.NewServer(cfg)
	url, err := server.Start(ctx)
	if err != nil {
		log.Fatalf("start: %v", err)
	}
	log.Printf("mockllm listening on %s (%d openai, %d anthropic mocks)", url, len(cfg.OpenAI), len(cfg.Anthropic))
	<-ctx.Done()
	_ = server.Stop(context.Background())
}

// Package aatest starts in-process Agent Assistant-compatible servers for
// tests, stopping them when the test ends, and plays the agent side.
package aatest

import (
	"context"
	"testing"
	"time"

	"github.com/agentdesk/agentdesk/conn/aaserver"
	"github.com/agentdesk/agentdesk/conn/wire"
)

// Start runs a server on a loopback port until t ends.
func Start(t testing.TB, cfg aaserver.Config) *aaserver.Server {
	t.Helper()
	s, err := aaserver.Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// AskAsync makes an agent's AskQuestion call over HTTP in the background,
// as the MCP bridge does; the agent's answer arrives on the channel. A
// transport failure arrives as an IsError answer whose Meta["error"] says
// what went wrong. The call gives up after 60 s.
func AskAsync(s *aaserver.Server, req *wire.AskQuestionRequest) <-chan *wire.AskQuestionResponse {
	out := make(chan *wire.AskQuestionResponse, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		resp, err := aaserver.PostAsk(ctx, s.BaseURL(), req)
		if err != nil {
			resp = &wire.AskQuestionResponse{IsError: true, Meta: map[string]string{"error": err.Error()}}
		}
		out <- resp
	}()
	return out
}

// Question builds one structured choice (McpAskQuestionRequest field 7),
// as newer MCP bridges send: the options are labels, each described as
// "about <label>".
func Question(question, header string, multiple, custom bool, labels ...string) *wire.Question {
	q := &wire.Question{Question: question, Header: header, Multiple: multiple, Custom: custom}
	for _, l := range labels {
		q.Options = append(q.Options, &wire.Option{Label: l, Description: "about " + l})
	}
	return q
}

package aaserver

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/agentdesk/agentdesk/conn/wire"
)

// PostAsk plays the agent side: it POSTs req as Connect JSON to
// baseURL+PathAskQuestion (baseURL like http://127.0.0.1:2000, this package's
// Server or a real agentassistant-srv) and blocks until the server answers.
// Cancelling ctx abandons the call, which the server reports to its clients
// as a cancellation. A failed call is not an error: it comes back as a
// response with IsError set; err is for transport and decoding failures.
func PostAsk(ctx context.Context, baseURL string, req *wire.AskQuestionRequest) (*wire.AskQuestionResponse, error) {
	resp := &wire.AskQuestionResponse{}
	if err := postJSON(ctx, strings.TrimSuffix(baseURL, "/")+PathAskQuestion, req, resp); err != nil {
		return nil, err
	}
	return resp, nil
}

// PostReport is PostAsk for work reports, on PathWorkReport.
func PostReport(ctx context.Context, baseURL string, req *wire.WorkReportRequest) (*wire.WorkReportResponse, error) {
	resp := &wire.WorkReportResponse{}
	if err := postJSON(ctx, strings.TrimSuffix(baseURL, "/")+PathWorkReport, req, resp); err != nil {
		return nil, err
	}
	return resp, nil
}

// maxAgentAnswer bounds the answer an agent call reads. It is the limit
// of the stock MCP bridge (connect.WithReadMaxBytes(50 MiB)): answers carry
// attachments, which JSON inflates to 4/3 with base64.
const maxAgentAnswer = 50 << 20

func postJSON(ctx context.Context, url string, in, out proto.Message) error {
	body, err := jsonOut.Marshal(in)
	if err != nil {
		return fmt.Errorf("aaserver: encode request: %w", err)
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("aaserver: %w", err)
	}
	hreq.Header.Set("Content-Type", "application/json")
	hreq.Header.Set("Connect-Protocol-Version", "1") // what a Connect client sends
	res, err := http.DefaultClient.Do(hreq)
	if err != nil {
		return fmt.Errorf("aaserver: POST %s: %w", url, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, maxAgentAnswer))
	if err != nil {
		return fmt.Errorf("aaserver: POST %s: read answer: %w", url, err)
	}
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("aaserver: POST %s: %s: %s", url, res.Status, bytes.TrimSpace(data))
	}
	if err := jsonIn.Unmarshal(data, out); err != nil {
		return fmt.Errorf("aaserver: POST %s: decode answer: %w", url, err)
	}
	return nil
}

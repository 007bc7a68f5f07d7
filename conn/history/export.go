package history

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// exportChunk is how many requests an export holds in memory at once (each
// may carry megabytes of text).
const exportChunk = 64

// ExportFormatVersion is written in the first line of a JSON Lines export.
const ExportFormatVersion = 1

type jsonHeader struct {
	Type     string    `json:"type"`
	Version  int       `json:"version"`
	Exported time.Time `json:"exported"`
	Servers  []string  `json:"servers,omitempty"`
}

type jsonAttachment struct {
	Name string `json:"name"`
	MIME string `json:"mime,omitempty"`
	Size int64  `json:"size"`
}

type jsonRequest struct {
	Type        string           `json:"type"`
	Server      string           `json:"server"`
	ServerLabel string           `json:"server_label,omitempty"`
	ID          string           `json:"id"`
	Kind        string           `json:"kind"`
	Agent       string           `json:"agent,omitempty"`
	Model       string           `json:"model,omitempty"`
	MCPClient   string           `json:"mcp_client,omitempty"`
	Project     string           `json:"project,omitempty"`
	Text        string           `json:"text"`
	Created     time.Time        `json:"created"`
	TimeoutSecs float64          `json:"timeout_s,omitempty"`
	State       string           `json:"state"`
	Reply       string           `json:"reply,omitempty"`
	AnsweredBy  string           `json:"answered_by,omitempty"`
	Reason      string           `json:"reason,omitempty"`
	Attachments []jsonAttachment `json:"attachments,omitempty"`
	Changed     time.Time        `json:"changed"`
}

type jsonChat struct {
	Type     string    `json:"type"`
	Server   string    `json:"server"`
	Peer     string    `json:"peer"`
	ClientID string    `json:"client_id,omitempty"`
	From     string    `json:"from"`
	Text     string    `json:"text"`
	At       time.Time `json:"at"`
}

// exportServers returns the servers to export: the given ones, or every
// server with stored history, sorted by label.
func (s *Store) exportServers(ctx context.Context, servers []string) ([]string, map[string]string, error) {
	if err := s.checkOpen(); err != nil {
		return nil, nil, err
	}
	if len(servers) > MaxFilterValues {
		return nil, nil, fmt.Errorf("history: at most %d servers at once", MaxFilterValues)
	}
	labels, err := s.labels(ctx)
	if err != nil {
		return nil, nil, err
	}
	if len(servers) == 0 {
		if servers, err = s.storedServers(ctx); err != nil {
			return nil, nil, err
		}
	}
	servers = slices.Clone(servers)
	slices.SortFunc(servers, func(a, b string) int {
		if c := strings.Compare(labels[a], labels[b]); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	return slices.Compact(servers), labels, nil
}

// eachRequest calls fn for every request of server, oldest first, with
// full texts, reading a few at a time.
func (s *Store) eachRequest(ctx context.Context, server string, fn func(Entry) error) error {
	var after int64
	for {
		es, err := s.readEntries(ctx, "SELECT "+fullCols+` FROM requests r WHERE r.server = ? AND r.seq > ?
			ORDER BY r.seq LIMIT ?`, server, after, exportChunk)
		if err != nil {
			return err
		}
		for _, e := range es {
			if err := fn(e); err != nil {
				return err
			}
		}
		if len(es) < exportChunk {
			return nil
		}
		after = es[len(es)-1].Seq
	}
}

// eachChat calls fn for every chat line of server, by conversation and
// then in order.
func (s *Store) eachChat(ctx context.Context, server string, fn func(ChatLine) error) error {
	peer, after := "", int64(0)
	for {
		rows, err := s.rdb.QueryContext(ctx, `SELECT seq, server, peer, client_id, sender, at_ms, text FROM chat_lines
			WHERE server = ? AND (peer > ? OR (peer = ? AND seq > ?)) ORDER BY peer, seq LIMIT ?`,
			server, peer, peer, after, exportChunk*8)
		if err != nil {
			return s.readErr(err)
		}
		var ls []ChatLine
		for rows.Next() {
			l, err := scanChat(rows)
			if err != nil {
				_ = rows.Close()
				return s.readErr(err)
			}
			ls = append(ls, l)
		}
		_ = rows.Close()
		if err := rows.Err(); err != nil {
			return s.readErr(err)
		}
		for _, l := range ls {
			if err := fn(l); err != nil {
				return err
			}
		}
		if len(ls) < exportChunk*8 {
			return nil
		}
		peer, after = ls[len(ls)-1].Peer, ls[len(ls)-1].Seq
	}
}

// ExportJSONL writes the history of the given servers (all when none are
// given) as JSON Lines: a header line, then one object per request
// ("type":"request", oldest first per server) and per chat line
// ("type":"chat"). Full texts, attachment names, types and sizes; never
// attachment contents.
func (s *Store) ExportJSONL(ctx context.Context, w io.Writer, servers ...string) error {
	servers, labels, err := s.exportServers(ctx, servers)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(jsonHeader{Type: "agentdesk_history", Version: ExportFormatVersion,
		Exported: s.now().UTC(), Servers: servers}); err != nil {
		return err
	}
	for _, server := range servers {
		err := s.eachRequest(ctx, server, func(e Entry) error {
			r, o := e.Request, e.Outcome
			label := r.ServerLabel
			if label == "" {
				label = labels[server]
			}
			jr := jsonRequest{Type: "request", Server: r.Server, ServerLabel: label, ID: r.ID,
				Kind: r.Kind.String(), Agent: r.Agent, Model: r.Model, MCPClient: r.MCPClient, Project: r.Project,
				Text: r.Text, Created: r.Created.UTC(), TimeoutSecs: r.Timeout.Seconds(), State: o.State.String(),
				Reply: o.Text, AnsweredBy: o.By, Reason: o.Reason, Changed: o.At.UTC()}
			for _, a := range o.Attachments {
				jr.Attachments = append(jr.Attachments, jsonAttachment{Name: a.Name, MIME: a.MIME, Size: a.Size})
			}
			return enc.Encode(jr)
		})
		if err != nil {
			return err
		}
		err = s.eachChat(ctx, server, func(l ChatLine) error {
			return enc.Encode(jsonChat{Type: "chat", Server: l.Server, Peer: l.Peer, ClientID: l.ClientID,
				From: l.From.String(), Text: l.Text, At: l.At.UTC()})
		})
		if err != nil {
			return err
		}
	}
	return bw.Flush()
}

// ExportMarkdown writes the history of the given servers (all when none
// are given) as a Markdown document for people: one section per server,
// its requests oldest first with their outcomes, then its conversations.
// Agent texts are quoted as they are (they are Markdown themselves).
func (s *Store) ExportMarkdown(ctx context.Context, w io.Writer, servers ...string) error {
	servers, labels, err := s.exportServers(ctx, servers)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "# agentdesk history\n\nExported %s.\n", s.now().UTC().Format("2006-01-02 15:04 MST"))
	if len(servers) == 0 {
		bw.WriteString("\nNo history is stored.\n")
	}
	for _, server := range servers {
		label := labels[server]
		if label == "" {
			label = server
		}
		fmt.Fprintf(bw, "\n## %s\n\nServer id %s.\n", oneLine(label), codeSpan(server))
		err := s.eachRequest(ctx, server, func(e Entry) error {
			bw.WriteString("\n")
			writeMarkdownEntry(bw, e, "###")
			return nil
		})
		if err != nil {
			return err
		}
		peer := "\x00" // no nickname is NUL: the first line opens a heading
		err = s.eachChat(ctx, server, func(l ChatLine) error {
			if l.Peer != peer {
				peer = l.Peer
				fmt.Fprintf(bw, "\n### Chat with %s\n\n", oneLine(l.Peer))
			}
			who := map[Sender]string{FromMe: "me", FromPeer: oneLine(l.Peer), FromSystem: "notice"}[l.From]
			fmt.Fprintf(bw, "- %s **%s:** %s\n", l.At.UTC().Format("2006-01-02 15:04"), who,
				strings.ReplaceAll(markdownSafe(l.Text), "\n", "\n  "))
			return nil
		})
		if err != nil {
			return err
		}
	}
	return bw.Flush()
}

func writeMarkdownEntry(w io.StringWriter, e Entry, heading string) {
	r, o := e.Request, e.Outcome
	kind := "Question"
	if r.Kind == KindWorkReport {
		kind = "Work report"
	}
	title := kind
	if r.Agent != "" {
		title += " from " + oneLine(r.Agent)
	}
	w.WriteString(fmt.Sprintf("%s %s · %s · %s\n\n", heading, title, r.Created.UTC().Format("2006-01-02 15:04"),
		strings.ReplaceAll(o.State.String(), "_", " ")))
	if r.Project != "" {
		w.WriteString("- Project: " + codeSpan(r.Project) + "\n")
	}
	var via []string
	for _, v := range []string{r.Model, r.MCPClient} {
		if v != "" {
			via = append(via, oneLine(v))
		}
	}
	if len(via) > 0 {
		w.WriteString("- Via: " + strings.Join(via, ", ") + "\n")
	}
	w.WriteString("- Request id: " + codeSpan(r.ID) + "\n")
	w.WriteString("\n" + quote(r.Text) + "\n")
	switch o.State {
	case StateAnswered:
		w.WriteString("\n**My reply:**\n\n" + quote(o.Text) + "\n")
	case StateAnsweredElsewhere:
		by := "someone else"
		if o.By != "" {
			by = oneLine(o.By)
		}
		w.WriteString("\n**Answered by " + by + ":**\n\n" + quote(o.Text) + "\n")
	case StateUndeliverable:
		w.WriteString("\n**My reply, not delivered** (" + oneLine(o.Reason) + "):\n\n" + quote(o.Text) + "\n")
	case StateCancelled, StateGone:
		if o.Reason != "" {
			w.WriteString("\n_" + strings.ReplaceAll(oneLine(o.Reason), "_", `\_`) + "_\n")
		}
	}
	for _, a := range o.Attachments {
		w.WriteString(fmt.Sprintf("- Attachment: %s (%s, %d bytes)\n", codeSpan(a.Name), oneLine(a.MIME), a.Size))
	}
}

// markdownSafe replaces NULs, which Markdown files cannot carry.
func markdownSafe(s string) string { return strings.ReplaceAll(s, "\x00", "\uFFFD") }

// quote renders text as a Markdown block quote.
func quote(s string) string {
	if s == "" {
		return "> (empty)"
	}
	lines := strings.Split(strings.TrimRight(markdownSafe(s), "\n"), "\n")
	for i, l := range lines {
		if l == "" {
			lines[i] = ">"
		} else {
			lines[i] = "> " + l
		}
	}
	return strings.Join(lines, "\n")
}

// oneLine keeps a short value on one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(markdownSafe(s)), " ")
}

// codeSpan renders s as inline code, with a fence longer than any run of
// backticks inside it.
func codeSpan(s string) string {
	s = oneLine(s)
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if longest > 0 || strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

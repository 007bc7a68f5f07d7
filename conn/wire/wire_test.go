package wire

import (
	"bytes"
	"encoding/hex"
	"testing"

	"google.golang.org/protobuf/proto"
)

// Golden bytes are written by hand from the field table in PROTOCOL.md:
// tag = field<<3 | wiretype (0 varint, 2 length-delimited).
func TestGoldenBytes(t *testing.T) {
	cases := []struct {
		name string
		msg  proto.Message
		hex  string
	}{
		{
			name: "UserLogin",
			msg:  &WebsocketMessage{Cmd: CmdUserLogin, StrParam: "tk", Nickname: "bo"},
			// 1:"UserLogin"  12:"tk"  18:"bo"
			hex: "0a09" + hex.EncodeToString([]byte("UserLogin")) + "6202746b" + "9201" + "02626f",
		},
		{
			name: "AskQuestionReply",
			msg: &WebsocketMessage{
				Cmd:                 CmdAskQuestionReply,
				AskQuestionRequest:  &AskQuestionRequest{ID: "q"},
				AskQuestionResponse: &AskQuestionResponse{ID: "q", Contents: TextContents("ok")},
			},
			// 1:"AskQuestionReply" 2:{1:"q"} 4:{1:"q" 4:{1:1 2:{1:"text" 2:"ok"}}}
			hex: "0a10" + hex.EncodeToString([]byte("AskQuestionReply")) +
				"1203" + "0a0171" +
				"2213" + "0a0171" + "220e" + "0801" + "120a" + "0a04" + hex.EncodeToString([]byte("text")) + "12026f6b",
		},
		{
			name: "CheckMessageValidity",
			msg: &WebsocketMessage{Cmd: CmdCheckMessageValidity,
				CheckMessageValidityRequest: &CheckMessageValidityRequest{RequestIds: []string{"a", "b"}}},
			// 1:"CheckMessageValidity" 13:{1:"a" 1:"b"}
			hex: "0a14" + hex.EncodeToString([]byte("CheckMessageValidity")) + "6a06" + "0a0161" + "0a0162",
		},
		{
			name: "SendChatMessage",
			msg: &WebsocketMessage{Cmd: CmdSendChatMessage,
				SendChatMessageRequest: &SendChatMessageRequest{ReceiverClientId: "c", Content: "hi"}},
			// 1:"SendChatMessage" 21:{1:"c" 2:"hi"}
			hex: "0a0f" + hex.EncodeToString([]byte("SendChatMessage")) + "aa0107" + "0a0163" + "12026869",
		},
		{
			name: "PendingMessage",
			msg: &PendingMessage{MessageType: MessageTypeWorkReport,
				WorkReportRequest: &WorkReportRequest{ID: "w", Timestamp: 5}, CreatedAt: 300, Timeout: 60},
			// 1:"WorkReport" 3:{1:"w" 4:5} 4:300 5:60
			hex: "0a0a" + hex.EncodeToString([]byte("WorkReport")) + "1a05" + "0a0177" + "2005" + "20ac02" + "283c",
		},
	}
	for _, c := range cases {
		got, err := proto.MarshalOptions{Deterministic: true}.Marshal(c.msg)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		want, _ := hex.DecodeString(c.hex)
		if !bytes.Equal(got, want) {
			t.Errorf("%s:\n got  %x\n want %x", c.name, got, want)
		}
	}
}

// Server-only fields must decode from their documented numbers.
func TestDecodeServerFields(t *testing.T) {
	// 1:"UserLogin" 23:{1:"id7" 2:true}
	raw, _ := hex.DecodeString("0a09" + hex.EncodeToString([]byte("UserLogin")) + "ba0107" + "0a03696437" + "1001")
	var m WebsocketMessage
	if err := proto.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	if m.GetUserLoginResponse().GetClientId() != "id7" || !m.GetUserLoginResponse().GetSuccess() {
		t.Fatalf("login response decoded wrong: %v", &m)
	}
	// 24:{1:{1:"c" 2:"n" 3:9} 2:"connected" 3:10}
	raw, _ = hex.DecodeString("c20117" + "0a08" + "0a0163" + "12016e" + "1809" + "1209" + hex.EncodeToString([]byte("connected")) + "180a")
	m.Reset()
	if err := proto.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	s := m.GetUserConnectionStatusNotification()
	if s.GetUser().GetClientId() != "c" || s.GetUser().GetConnectedAt() != 9 || s.GetStatus() != StatusConnected || s.GetTimestamp() != 10 {
		t.Fatalf("status notification decoded wrong: %v", s)
	}
}

func TestContentsText(t *testing.T) {
	c := append(TextContents("a"), &McpResultContent{Type: ContentImage}, TextContents("b")[0])
	if got := ContentsText(c); got != "a\nb" {
		t.Fatalf("ContentsText = %q", got)
	}
}

// ContentsTextUpTo joins several lists and stops one byte past max, so a
// caller can tell the text was longer.
func TestContentsTextUpTo(t *testing.T) {
	a, b := TextContents("hello"), TextContents("world")
	if got := ContentsTextUpTo(100, a, b); got != "hello\nworld" {
		t.Fatalf("uncut = %q", got)
	}
	if got := ContentsTextUpTo(7, a, b); got != "hello\nwo" {
		t.Fatalf("cut at 7 = %q, want 8 bytes", got)
	}
	if got := ContentsText(a, b); got != "hello\nworld" {
		t.Fatalf("ContentsText of two lists = %q", got)
	}
}

// Package wire holds the Agent Assistant WebSocket message types, generated
// by protoc-gen-go from agentassist.proto, plus the command names that go in
// WebsocketMessage.Cmd.
package wire

//go:generate protoc --go_out=. --go_opt=paths=source_relative agentassist.proto

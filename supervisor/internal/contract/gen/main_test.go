package main

import (
	"bytes"
	"os"
	"testing"
)

// The committed contract_gen.go is what the JSON gives: edit contract/docker-contract.json, then
// run `go generate ./...` in supervisor/.
func TestGeneratedFileMatchesContract(t *testing.T) {
	in, err := os.ReadFile("../../../../contract/docker-contract.json")
	if err != nil {
		t.Fatal(err)
	}
	want, err := Generate(in)
	if err != nil {
		t.Fatal(err)
	}
	have, err := os.ReadFile("../contract_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(have, want) {
		t.Fatalf("supervisor/internal/contract/contract_gen.go differs from contract/docker-contract.json: run `go generate ./...` in supervisor/")
	}
}

func TestUnknownKeysAreRejected(t *testing.T) {
	if _, err := Generate([]byte(`{"labels": {}, "newThing": 1}`)); err == nil {
		t.Fatal("a key gen does not know was accepted")
	}
}

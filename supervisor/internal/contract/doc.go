package contract

//go:generate go run ./gen ../../../contract/docker-contract.json contract_gen.go

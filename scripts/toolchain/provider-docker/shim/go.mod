// The project's own shim: its module path sits under github.com/terraform-providers/terraform-provider-docker,
// so Go's internal rule lets it import that module's internal/provider package (kreuzwerker's code,
// pulled in through the replace line in ../go.mod). Same idea as upstream pulumi-docker's patch 0001.
module github.com/terraform-providers/terraform-provider-docker/shim

go 1.25.8

module github.com/gmmkit/cramer

go 1.24

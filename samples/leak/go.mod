module profdiff/samples/leak

go 1.19

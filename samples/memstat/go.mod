module profdiff/samples/memstat

go 1.19

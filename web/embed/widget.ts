console.log("parley widget");

console.log("guest build: nothing yet")

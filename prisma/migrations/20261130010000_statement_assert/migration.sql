-- Lets one statement refuse to commit. A purchase batch writes all its rows in a
-- single statement and checks inside it that exactly what was decided changed;
-- when not, this raises, and the whole statement (autocommit) is rolled back.
-- SQLSTATE 40001 (serialization_failure) tells the service "nothing happened,
-- retry". (Functions are not expressible in schema.prisma.)
CREATE FUNCTION "tickets_assert"(ok boolean, message text) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
  IF ok IS NOT TRUE THEN
    RAISE EXCEPTION USING MESSAGE = message, ERRCODE = 'serialization_failure';
  END IF;
  RETURN true;
END
$$;
